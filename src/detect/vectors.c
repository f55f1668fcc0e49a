/* SPDX-License-Identifier: Apache-2.0 */
/*
 * Shield's attack vector names (AttackVectorDescription.VectorType in the Shield
 * API reference, shield-2016-06-02), the UDP reflector ports behind them, and the
 * mitigation each one installs, as data the fast path interprets.
 *
 * Reflector ports: CHARGEN 19 (RFC 864), DNS 53, portmapper/rpcbind 111, NTP 123,
 * NetBIOS 137-138, SNMP 161, RIP 520, MS-SQL browser 1434, SSDP 1900, Ubiquiti
 * discovery (UDS) 10001, memcached 11211. GENERIC_UDP_REFLECTION covers the other
 * well-known ports below 1024 and a few known amplifiers above it (CLDAP is 389,
 * so already below; ARD 3283, WS-Discovery 3702, mDNS 5353, CoAP 5683).
 */
#include "detect/state.h"

#include <string.h>

static const char *const names[] = {
#define BW_DETECT_V_NAME(n) #n,
    BW_DETECT_VECTORS(BW_DETECT_V_NAME)
#undef BW_DETECT_V_NAME
};

const char *bw_detect_vector_name(enum bw_detect_vector v)
{
    return (unsigned)v < BW_DETECT_V__COUNT ? names[v] : NULL;
}

int bw_detect_vector_parse(const char *name)
{
    for (int i = 0; i < BW_DETECT_V__COUNT; i++)
        if (strcmp(names[i], name) == 0)
            return i;
    return -1;
}

#define R_PORT(p, n, d)                                                                            \
    {                                                                                              \
        BW_DETECT_RULE_DROP_UDP_SRC_PORT, (p), 0, (n), (d)                                         \
    }

static const struct bw_detect_rule rules[BW_DETECT_V__COUNT] = {
    [BW_DETECT_V_UDP_TRAFFIC] = {BW_DETECT_RULE_LIMIT_UDP_NEW_SOURCE, 0, 0, "UDP_NEW_SOURCE_DROP",
                                 "drop UDP to the victim from sources with no history"},
    [BW_DETECT_V_UDP_FRAGMENT] = {BW_DETECT_RULE_DROP_FRAGMENTS, 0, 0, "FRAGMENT_DROP",
                                  "drop IP fragments to the victim"},
    [BW_DETECT_V_GENERIC_UDP_REFLECTION] = {BW_DETECT_RULE_DROP_UDP_REFLECTORS, 0, 0,
                                            "UDP_REFLECTOR_DROP",
                                            "drop unsolicited UDP from well-known ports"},
    [BW_DETECT_V_DNS_REFLECTION] =
        R_PORT(53, "UDP_SRC_PORT_53_DROP", "drop unsolicited UDP from source port 53"),
    [BW_DETECT_V_NTP_REFLECTION] =
        R_PORT(123, "UDP_SRC_PORT_123_DROP", "drop unsolicited UDP from source port 123"),
    [BW_DETECT_V_CHARGEN_REFLECTION] =
        R_PORT(19, "UDP_SRC_PORT_19_DROP", "drop UDP from source port 19"),
    [BW_DETECT_V_SSDP_REFLECTION] =
        R_PORT(1900, "UDP_SRC_PORT_1900_DROP", "drop UDP from source port 1900"),
    [BW_DETECT_V_PORT_MAPPER] =
        R_PORT(111, "UDP_SRC_PORT_111_DROP", "drop UDP from source port 111"),
    [BW_DETECT_V_RIP_REFLECTION] =
        R_PORT(520, "UDP_SRC_PORT_520_DROP", "drop UDP from source port 520"),
    [BW_DETECT_V_SNMP_REFLECTION] =
        R_PORT(161, "UDP_SRC_PORT_161_DROP", "drop UDP from source port 161"),
    [BW_DETECT_V_MSSQL_REFLECTION] =
        R_PORT(1434, "UDP_SRC_PORT_1434_DROP", "drop UDP from source port 1434"),
    [BW_DETECT_V_NET_BIOS_REFLECTION] =
        R_PORT(137, "UDP_SRC_PORT_137_DROP", "drop UDP from source ports 137-138"),
    [BW_DETECT_V_SYN_FLOOD] = {BW_DETECT_RULE_LIMIT_SYN_PER_SOURCE, 0, SYN_RATE, "SYN_RATE_LIMIT",
                               "limit SYNs to 20/s per source; prioritise known clients"},
    [BW_DETECT_V_ACK_FLOOD] = {BW_DETECT_RULE_DROP_STRAY_ACK, 0, 0, "STRAY_ACK_DROP",
                               "drop ACKs that belong to no tracked connection"},
    [BW_DETECT_V_REQUEST_FLOOD] = {BW_DETECT_RULE_BLOCK_REQUEST_FLOOD, 0, REQ_RATE,
                                   "REQUEST_RATE_BLOCK",
                                   "drop a source's packets past 10 HTTP requests in a second"},
    [BW_DETECT_V_HTTP_REFLECTION] = {BW_DETECT_RULE_DROP_STRAY_SYNACK, 0, 0, "STRAY_SYNACK_DROP",
                                     "drop SYN-ACKs the victim never asked for"},
    [BW_DETECT_V_UDS_REFLECTION] =
        R_PORT(10001, "UDP_SRC_PORT_10001_DROP", "drop UDP from source port 10001"),
    [BW_DETECT_V_MEMCACHED_REFLECTION] =
        R_PORT(11211, "UDP_SRC_PORT_11211_DROP", "drop UDP from source port 11211"),
    [BW_DETECT_V_SLOWLORIS] = {BW_DETECT_RULE_BLOCK_SLOW_SOURCES, 0, 0, "SLOW_SOURCE_BLOCK",
                               "block sources holding incomplete HTTP requests"},
};

const struct bw_detect_rule *bw_detect_vector_rule(enum bw_detect_vector v)
{
    return (unsigned)v < BW_DETECT_V__COUNT ? &rules[v] : NULL;
}

int bw_detect__udp_reflector(uint16_t port)
{
    switch (port) {
    case 19:
        return BW_DETECT_V_CHARGEN_REFLECTION;
    case 53:
        return BW_DETECT_V_DNS_REFLECTION;
    case 111:
        return BW_DETECT_V_PORT_MAPPER;
    case 123:
        return BW_DETECT_V_NTP_REFLECTION;
    case 137:
    case 138:
        return BW_DETECT_V_NET_BIOS_REFLECTION;
    case 161:
        return BW_DETECT_V_SNMP_REFLECTION;
    case 520:
        return BW_DETECT_V_RIP_REFLECTION;
    case 1434:
        return BW_DETECT_V_MSSQL_REFLECTION;
    case 1900:
        return BW_DETECT_V_SSDP_REFLECTION;
    case 10001:
        return BW_DETECT_V_UDS_REFLECTION;
    case 11211:
        return BW_DETECT_V_MEMCACHED_REFLECTION;
    case 3283:
    case 3702:
    case 5353:
    case 5683:
        return BW_DETECT_V_GENERIC_UDP_REFLECTION;
    default:
        return port > 0 && port < 1024 ? BW_DETECT_V_GENERIC_UDP_REFLECTION : -1;
    }
}
