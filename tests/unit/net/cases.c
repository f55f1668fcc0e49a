/* SPDX-License-Identifier: Apache-2.0 */
/*
 * The labelled frames of cases.h: for every verdict at least one frame that must get it,
 * and the traps of real traffic (ECN SYNs, RSTs, fragments, DNS/NTP replies, private and
 * benchmarking sources, VLANs, IPv6 extension headers) that must pass.
 */
#include "cases.h"

#define S   TP_SRC4
#define D   TP_DST4
#define ACK BW_NET_TCP_ACK
#define SYN BW_NET_TCP_SYN
#define FIN BW_NET_TCP_FIN
#define RST BW_NET_TCP_RST
#define PSH BW_NET_TCP_PSH
#define URG BW_NET_TCP_URG

static const uint8_t syn_opts[20] = {2, 4, 0x05, 0xb4, 4, 2, 8, 10, 0, 0,
                                     0, 1, 0,    0,    0, 0, 1, 3,  3, 7};

/* ---- well-formed ---- */
static void syn_opts4(struct tp *p)
{
    tp_eth(p, 0, 0, 0x0800);
    tp_ip4(p, 6, S, D, NULL, 0);
    tp_tcp(p, 40000, 80, SYN, syn_opts, sizeof(syn_opts));
    tp_fin(p);
}
static void syn_ecn4(struct tp *p)
{
    tp_tcp4(p, S, D, SYN | BW_NET_TCP_ECE | BW_NET_TCP_CWR, 0);
}
static void synack4(struct tp *p)
{
    tp_tcp4(p, S, D, SYN | ACK | BW_NET_TCP_ECE, 0);
}
static void ack_data4(struct tp *p)
{
    tp_tcp4(p, S, D, ACK | PSH, 200);
}
static void rst4(struct tp *p)
{
    tp_tcp4(p, S, D, RST, 0);
}
static void rst_ack4(struct tp *p)
{
    tp_tcp4(p, S, D, RST | ACK, 0);
}
static void fin_ack4(struct tp *p)
{
    tp_tcp4(p, S, D, FIN | ACK, 0);
}
static void private4(struct tp *p)
{
    tp_tcp4(p, 0x0a010203u, D, SYN, 0);
}
static void cgnat4(struct tp *p)
{
    tp_tcp4(p, 0x64400101u, D, SYN, 0);
}
static void bench4(struct tp *p)
{
    tp_tcp4(p, 0xc6120005u, 0xc6130001u, SYN, 0);
}
static void dns_reply4(struct tp *p)
{
    tp_udp4(p, 53, 33000, 120);
}
static void ntp_reply4(struct tp *p)
{
    tp_udp4(p, 123, 123, 48);
}
static void icmp_echo4(struct tp *p)
{
    tp_eth(p, 0, 0, 0x0800);
    tp_ip4(p, 1, S, D, NULL, 0);
    tp_icmp(p, 8, 0);
    tp_data(p, 56);
    tp_fin(p);
}
static void frag_first4(struct tp *p)
{
    tp_udp4(p, 53, 33000, 1472);
    tp_frag4(p, 0, true);
}
static void frag_last4(struct tp *p)
{
    tp_eth(p, 0, 0, 0x0800);
    tp_ip4(p, 17, S, D, NULL, 0);
    tp_data(p, 300);
    tp_fin(p);
    tp_frag4(p, 1480, false);
}
static void vlan4(struct tp *p)
{
    tp_eth(p, 1, 0x8100, 0x0800);
    tp_ip4(p, 6, S, D, NULL, 0);
    tp_tcp(p, 40000, 80, ACK, NULL, 0);
    tp_fin(p);
}
static void qinq4(struct tp *p)
{
    tp_eth(p, 2, 0x88a8, 0x0800);
    tp_ip4(p, 17, S, D, NULL, 0);
    tp_udp(p, 5000, 53);
    tp_data(p, 30);
    tp_fin(p);
}
static void opts4(struct tp *p)
{
    static const uint8_t ra[8] = {148, 4, 0, 0, 1, 1, 1, 0}; /* router alert, NOP, EOL */
    tp_eth(p, 0, 0, 0x0800);
    tp_ip4(p, 17, S, D, ra, sizeof(ra));
    tp_udp(p, 5000, 53);
    tp_data(p, 10);
    tp_fin(p);
}
static void padded4(struct tp *p)
{
    tp_udp4(p, 5000, 53, 2);
    tp_zero(p, 16); /* Ethernet minimum-size padding after the IP datagram */
}
static void arp(struct tp *p)
{
    tp_eth(p, 0, 0, 0x0806);
    tp_zero(p, 28);
}
static void gre4(struct tp *p)
{
    tp_eth(p, 0, 0, 0x0800);
    tp_ip4(p, 47, S, D, NULL, 0);
    tp_data(p, 4);
    tp_fin(p);
}
static void syn6(struct tp *p)
{
    tp_tcp6(p, NULL, NULL, SYN);
}
static void udp6(struct tp *p)
{
    tp_eth(p, 0, 0, 0x86dd);
    tp_ip6(p, 17, NULL, NULL);
    tp_udp(p, 53, 40000);
    tp_data(p, 100);
    tp_fin(p);
}
static void icmp6_echo(struct tp *p)
{
    tp_eth(p, 0, 0, 0x86dd);
    tp_ip6(p, 58, NULL, NULL);
    tp_icmp(p, 128, 0);
    tp_data(p, 8);
    tp_fin(p);
}
static void ext6(struct tp *p)
{
    tp_eth(p, 0, 0, 0x86dd);
    tp_ip6(p, 0, NULL, NULL);
    tp_ext6(p, 60, 1);
    tp_ext6(p, 17, 2);
    tp_udp(p, 4000, 53);
    tp_data(p, 20);
    p->proto = 17;
    tp_fin(p);
}
static void frag_first6(struct tp *p)
{
    tp_eth(p, 0, 0, 0x86dd);
    tp_ip6(p, 44, NULL, NULL);
    tp_frag6(p, 17, 0, true);
    tp_udp(p, 53, 40000);
    tp_data(p, 1224);
    tp_fin(p);
    tp_set16(p, p->l4 + 4, 3000); /* the whole datagram's length */
}
static void frag_last6(struct tp *p)
{
    tp_eth(p, 0, 0, 0x86dd);
    tp_ip6(p, 44, NULL, NULL);
    tp_frag6(p, 17, 1232, false);
    tp_data(p, 500);
    tp_fin(p);
}
static void atomic6(struct tp *p)
{
    tp_eth(p, 0, 0, 0x86dd);
    tp_ip6(p, 44, NULL, NULL);
    tp_frag6(p, 6, 0, false);
    tp_tcp(p, 40000, 443, ACK, NULL, 0);
    tp_fin(p);
}
static void dad6(struct tp *p)
{
    static const uint8_t any[16] = {0};
    static const uint8_t snm[16] = {0xff, 2, [11] = 1, [12] = 0xff, [15] = 7};
    tp_eth(p, 0, 0, 0x86dd);
    tp_ip6(p, 58, any, snm);
    tp_icmp(p, 135, 0);
    tp_zero(p, 16);
    tp_fin(p);
}
static void rh0_done6(struct tp *p)
{
    tp_eth(p, 0, 0, 0x86dd);
    tp_ip6(p, 43, NULL, NULL);
    tp_ext6(p, 6, 1);
    p->b[p->n - 6] = 0; /* routing type 0 ... */
    p->b[p->n - 5] = 0; /* ... with no segments left: ignored (RFC 5095 3) */
    tp_tcp(p, 40000, 443, ACK, NULL, 0);
    p->proto = 6;
    tp_fin(p);
}

/* ---- malformed: layer 2 ---- */
static void trunc_eth(struct tp *p)
{
    tp_eth(p, 0, 0, 0x0800);
    p->n = 10;
}
static void bad_eth_src(struct tp *p)
{
    tp_tcp4(p, S, D, SYN, 0);
    p->b[6] = 0x01;
}
static void trunc_vlan(struct tp *p)
{
    tp_eth(p, 1, 0x8100, 0x0800);
    p->n = 16;
}
static void vlan_deep(struct tp *p)
{
    tp_eth(p, 3, 0x88a8, 0x0800);
    tp_ip4(p, 6, S, D, NULL, 0);
    tp_tcp(p, 40000, 80, ACK, NULL, 0);
    tp_fin(p);
}

/* ---- malformed: IPv4 ---- */
static void trunc_ipv4(struct tp *p)
{
    tp_tcp4(p, S, D, SYN, 0);
    p->n = 14 + 12;
}
static void bad_ver4(struct tp *p)
{
    tp_tcp4(p, S, D, SYN, 0);
    p->b[14] = 0x65;
}
static void ihl_small(struct tp *p)
{
    tp_tcp4(p, S, D, SYN, 0);
    p->b[14] = 0x44;
}
static void ihl_big(struct tp *p)
{
    tp_tcp4(p, S, D, SYN, 0);
    p->b[14] = 0x4f; /* 60 bytes > total length 40 */
}
static void tot_small(struct tp *p)
{
    tp_tcp4(p, S, D, SYN, 0);
    tp_set16(p, 16, 12);
}
static void tot_big(struct tp *p)
{
    tp_tcp4(p, S, D, SYN, 0);
    tp_set16(p, 16, 1400);
}
static void evil_bit(struct tp *p)
{
    tp_tcp4(p, S, D, SYN, 0);
    p->b[20] |= 0x80;
}
static void opt_len1(struct tp *p)
{
    static const uint8_t o[4] = {7, 1, 0, 0};
    tp_eth(p, 0, 0, 0x0800);
    tp_ip4(p, 17, S, D, o, 4);
    tp_udp(p, 5000, 53);
    tp_fin(p);
}
static void opt_long(struct tp *p)
{
    static const uint8_t o[4] = {1, 68, 12, 0}; /* timestamp claiming 12 bytes in 3 */
    tp_eth(p, 0, 0, 0x0800);
    tp_ip4(p, 17, S, D, o, 4);
    tp_udp(p, 5000, 53);
    tp_fin(p);
}
static void lsrr(struct tp *p)
{
    static const uint8_t o[8] = {131, 7, 4, 10, 0, 0, 1, 0};
    tp_eth(p, 0, 0, 0x0800);
    tp_ip4(p, 6, S, D, o, 8);
    tp_tcp(p, 40000, 80, SYN, NULL, 0);
    tp_fin(p);
}

/* ---- malformed: IPv6 ---- */
static void trunc_ipv6(struct tp *p)
{
    syn6(p);
    p->n = 14 + 30;
}
static void plen_big(struct tp *p)
{
    syn6(p);
    tp_set16(p, 18, 100);
}
static void plen_zero(struct tp *p)
{
    syn6(p);
    tp_set16(p, 18, 0);
}
static void trunc_ext6(struct tp *p)
{
    tp_eth(p, 0, 0, 0x86dd);
    tp_ip6(p, 0, NULL, NULL);
    tp_ext6(p, 17, 1);
    p->b[p->n - 7] = 4; /* claims 40 bytes */
    tp_udp(p, 4000, 53);
    p->proto = 17;
    tp_fin(p);
}
static void ext_long6(struct tp *p)
{
    tp_eth(p, 0, 0, 0x86dd);
    tp_ip6(p, 60, NULL, NULL);
    for (int i = 0; i < 9; i++)
        tp_ext6(p, i == 8 ? 17 : 60, 1);
    tp_udp(p, 4000, 53);
    p->proto = 17;
    tp_fin(p);
}
static void hbh_late6(struct tp *p)
{
    tp_eth(p, 0, 0, 0x86dd);
    tp_ip6(p, 60, NULL, NULL);
    tp_ext6(p, 0, 1);
    tp_ext6(p, 17, 1);
    tp_udp(p, 4000, 53);
    p->proto = 17;
    tp_fin(p);
}
static void dup_frag6(struct tp *p)
{
    tp_eth(p, 0, 0, 0x86dd);
    tp_ip6(p, 44, NULL, NULL);
    tp_frag6(p, 44, 0, true);
    tp_frag6(p, 17, 0, true);
    tp_udp(p, 53, 4000);
    tp_data(p, 16);
    tp_fin(p);
}
static void rh0_6(struct tp *p)
{
    tp_eth(p, 0, 0, 0x86dd);
    tp_ip6(p, 43, NULL, NULL);
    tp_ext6(p, 6, 1);
    p->b[p->n - 6] = 0; /* routing type 0 */
    p->b[p->n - 5] = 1; /* segments left */
    tp_tcp(p, 40000, 443, ACK, NULL, 0);
    p->proto = 6;
    tp_fin(p);
}

/* ---- malformed: addresses ---- */
static void src_zero(struct tp *p)
{
    tp_tcp4(p, 0x00010203u, D, SYN, 0);
}
static void src_loop(struct tp *p)
{
    tp_tcp4(p, 0x7f000001u, D, SYN, 0);
}
static void src_mcast(struct tp *p)
{
    tp_tcp4(p, 0xe0000005u, D, SYN, 0);
}
static void src_bcast(struct tp *p)
{
    tp_tcp4(p, 0xffffffffu, D, SYN, 0);
}
static void src_class_e(struct tp *p)
{
    tp_tcp4(p, 0xf0000001u, D, SYN, 0);
}
static void dst_loop(struct tp *p)
{
    tp_tcp4(p, S, 0x7f000001u, SYN, 0);
}
static void land4(struct tp *p)
{
    tp_tcp4(p, D, D, SYN, 0);
}
static void src_loop6(struct tp *p)
{
    static const uint8_t lo[16] = {[15] = 1};
    tp_tcp6(p, lo, NULL, SYN);
}
static void src_mcast6(struct tp *p)
{
    static const uint8_t m[16] = {0xff, 0x02, [15] = 1};
    tp_tcp6(p, m, NULL, SYN);
}
static void src_mapped6(struct tp *p)
{
    static const uint8_t m[16] = {[10] = 0xff, [11] = 0xff, 1, 2, 3, 4};
    tp_tcp6(p, m, NULL, SYN);
}
static void src_any6(struct tp *p)
{
    static const uint8_t any[16] = {0};
    tp_tcp6(p, any, NULL, SYN);
}
static void dst_loop6(struct tp *p)
{
    static const uint8_t lo[16] = {[15] = 1};
    tp_tcp6(p, NULL, lo, SYN);
}
static void land6(struct tp *p)
{
    static const uint8_t a[16] = {0x20, 0x01, 0x0d, 0xb8, [15] = 0x10};
    tp_tcp6(p, a, a, SYN);
}

/* ---- malformed: fragments ---- */
static void ping_of_death(struct tp *p)
{
    tp_eth(p, 0, 0, 0x0800);
    tp_ip4(p, 1, S, D, NULL, 0);
    tp_data(p, 400);
    tp_fin(p);
    tp_frag4(p, 65528, false);
}
static void frag_odd4(struct tp *p)
{
    tp_udp4(p, 53, 4000, 13); /* 21 bytes with MF set */
    tp_frag4(p, 0, true);
}
static void frag_overlap4(struct tp *p)
{
    tp_eth(p, 0, 0, 0x0800);
    tp_ip4(p, 6, S, D, NULL, 0);
    tp_data(p, 24);
    tp_fin(p);
    tp_frag4(p, 8, false); /* offset 1: rewrites the TCP flags (RFC 1858) */
}
static void frag_tiny4(struct tp *p)
{
    tp_eth(p, 0, 0, 0x0800);
    tp_ip4(p, 6, S, D, NULL, 0);
    tp_tcp(p, 40000, 80, SYN, NULL, 0);
    p->n -= 12; /* 8 bytes of TCP header */
    tp_fin(p);
    tp_frag4(p, 0, true);
}
static void frag_tiny6(struct tp *p)
{
    tp_eth(p, 0, 0, 0x86dd);
    tp_ip6(p, 44, NULL, NULL);
    tp_frag6(p, 6, 0, true);
    tp_tcp(p, 40000, 443, SYN, NULL, 0);
    p->n -= 12;
    tp_fin(p);
}
static void frag_odd6(struct tp *p)
{
    tp_eth(p, 0, 0, 0x86dd);
    tp_ip6(p, 44, NULL, NULL);
    tp_frag6(p, 17, 1232, true);
    tp_data(p, 100);
    tp_fin(p);
}

/* ---- malformed: TCP ---- */
static void trunc_tcp(struct tp *p)
{
    tp_tcp4(p, S, D, SYN, 0);
    p->n -= 10;
    tp_fin(p);
}
static void doff_small(struct tp *p)
{
    tp_tcp4(p, S, D, SYN, 0);
    p->b[34 + 12] = 0x40;
}
static void doff_big(struct tp *p)
{
    tp_tcp4(p, S, D, SYN, 8);
    p->b[34 + 12] = 0xf0;
}
static void mss_len3(struct tp *p)
{
    static const uint8_t o[4] = {2, 3, 5, 0};
    tp_eth(p, 0, 0, 0x0800);
    tp_ip4(p, 6, S, D, NULL, 0);
    tp_tcp(p, 40000, 80, SYN, o, 4);
    tp_fin(p);
}
static void opt_len0(struct tp *p)
{
    static const uint8_t o[4] = {1, 30, 0, 0};
    tp_eth(p, 0, 0, 0x0800);
    tp_ip4(p, 6, S, D, NULL, 0);
    tp_tcp(p, 40000, 80, SYN, o, 4);
    tp_fin(p);
}
static void opt_over(struct tp *p)
{
    static const uint8_t o[8] = {1, 1, 8, 10, 0, 0, 0, 0}; /* timestamp runs past the header */
    tp_eth(p, 0, 0, 0x0800);
    tp_ip4(p, 6, S, D, NULL, 0);
    tp_tcp(p, 40000, 80, ACK, o, 8);
    tp_fin(p);
}
static void xmas(struct tp *p)
{
    tp_tcp4(p, S, D, FIN | PSH | URG, 0);
}
static void all_flags(struct tp *p)
{
    tp_tcp4(p, S, D, 0xff, 0);
}
static void syn_fin(struct tp *p)
{
    tp_tcp4(p, S, D, SYN | FIN, 0);
}
static void syn_rst(struct tp *p)
{
    tp_tcp4(p, S, D, SYN | RST, 0);
}
static void null_scan(struct tp *p)
{
    tp_tcp4(p, S, D, 0, 0);
}
static void ecn_only(struct tp *p)
{
    tp_tcp4(p, S, D, BW_NET_TCP_ECE | BW_NET_TCP_CWR, 0);
}
static void fin_scan(struct tp *p)
{
    tp_tcp4(p, S, D, FIN, 0);
}
static void psh_only(struct tp *p)
{
    tp_tcp4(p, S, D, PSH, 4);
}

/* ---- malformed: UDP, ICMP, ports ---- */
static void trunc_udp(struct tp *p)
{
    tp_udp4(p, 5000, 53, 0);
    p->n -= 4;
    tp_fin(p);
}
static void udp_len_small(struct tp *p)
{
    tp_udp4(p, 5000, 53, 10);
    tp_set16(p, 38, 4);
}
static void udp_len_big(struct tp *p)
{
    tp_udp4(p, 5000, 53, 10);
    tp_set16(p, 38, 200);
}
static void trunc_icmp(struct tp *p)
{
    icmp_echo4(p);
    p->n = 34 + 4;
    tp_fin(p);
}
static void trunc_icmp6(struct tp *p)
{
    icmp6_echo(p);
    p->n = 54 + 4;
    tp_fin(p);
}
static void tcp_dport0(struct tp *p)
{
    tp_tcp4(p, S, D, SYN, 0);
    tp_set16(p, 36, 0);
}
static void udp_sport0(struct tp *p)
{
    tp_udp4(p, 0, 53, 20);
}

static void sack4(struct tp *p)
{
    static const uint8_t o[12] = {1, 1, 5, 10, 0, 0, 0, 1, 0, 0, 0, 9};
    tp_eth(p, 0, 0, 0x0800);
    tp_ip4(p, 6, S, D, NULL, 0);
    tp_tcp(p, 40000, 80, ACK, o, sizeof(o));
    tp_fin(p);
}
static void mptcp4(struct tp *p)
{
    static const uint8_t o[8] = {30, 4, 0x10, 0x81, 1, 1, 1, 0}; /* kind 30 (MPTCP), NOPs, EOL */
    tp_eth(p, 0, 0, 0x0800);
    tp_ip4(p, 6, S, D, NULL, 0);
    tp_tcp(p, 40000, 80, SYN, o, sizeof(o));
    tp_fin(p);
}
static void rr4(struct tp *p)
{
    static const uint8_t o[8] = {7, 7, 4, 0, 0, 0, 0, 0}; /* record route, one slot, EOL */
    tp_eth(p, 0, 0, 0x0800);
    tp_ip4(p, 1, S, D, o, sizeof(o));
    tp_icmp(p, 8, 0);
    tp_fin(p);
}
static void sack_len12(struct tp *p)
{
    static const uint8_t o[12] = {5, 12, 0, 0, 0, 1, 0, 0, 0, 9, 0, 0};
    tp_eth(p, 0, 0, 0x0800);
    tp_ip4(p, 6, S, D, NULL, 0);
    tp_tcp(p, 40000, 80, ACK, o, sizeof(o));
    tp_fin(p);
}
static void ra_len3(struct tp *p)
{
    static const uint8_t o[4] = {148, 3, 0, 0};
    tp_eth(p, 0, 0, 0x0800);
    tp_ip4(p, 17, S, D, o, 4);
    tp_udp(p, 5000, 53);
    tp_fin(p);
}

static void udp6_csum0(struct tp *p)
{
    udp6(p);
    tp_set16(p, p->l4 + 6, 0);
}
static void vxlan6_csum0(struct tp *p)
{
    tp_eth(p, 0, 0, 0x86dd);
    tp_ip6(p, 17, NULL, NULL);
    tp_udp(p, 50000, 4789);
    tp_data(p, 50);
    tp_fin(p);
    tp_set16(p, p->l4 + 6, 0);
}
static void udp4_csum0(struct tp *p)
{
    tp_udp4(p, 5000, 53, 20);
    tp_set16(p, p->l4 + 6, 0); /* optional over IPv4 (RFC 768) */
}

#define OK(n, f)                                                                                   \
    {                                                                                              \
        n, BW_NET_OK, f, false                                                                     \
    }
#define BAD(n, v, f)                                                                               \
    {                                                                                              \
        n, v, f, false                                                                             \
    }

const struct tp_case tp_cases[] = {
    OK("tcp4 SYN with MSS/SACK/TS/WS", syn_opts4),
    OK("tcp4 ECN SYN (SYN+ECE+CWR)", syn_ecn4),
    OK("tcp4 SYN+ACK+ECE", synack4),
    OK("tcp4 ACK+PSH with data", ack_data4),
    OK("tcp4 bare RST", rst4),
    OK("tcp4 RST+ACK", rst_ack4),
    OK("tcp4 FIN+ACK", fin_ack4),
    OK("tcp4 from 10/8", private4),
    OK("tcp4 from 100.64/10", cgnat4),
    OK("tcp4 198.18/15 to 198.19", bench4),
    OK("udp4 DNS answer from 53", dns_reply4),
    OK("udp4 NTP reply from 123", ntp_reply4),
    OK("icmp4 echo", icmp_echo4),
    OK("udp4 first fragment", frag_first4),
    OK("udp4 last fragment", frag_last4),
    OK("tcp4 in 802.1Q", vlan4),
    OK("udp4 in QinQ", qinq4),
    OK("ipv4 router alert option", opts4),
    OK("udp4 with Ethernet padding", padded4),
    OK("ARP", arp),
    OK("tcp4 ACK with SACK", sack4),
    OK("tcp4 SYN with an MPTCP option", mptcp4),
    OK("icmp4 with record route", rr4),
    OK("udp6 VXLAN with checksum 0", vxlan6_csum0),
    OK("udp4 with checksum 0", udp4_csum0),
    OK("GRE (L4 not parsed)", gre4),
    OK("tcp6 SYN", syn6),
    OK("udp6 DNS answer", udp6),
    OK("icmp6 echo", icmp6_echo),
    OK("udp6 after HBH and DestOpts", ext6),
    OK("udp6 first fragment", frag_first6),
    OK("udp6 last fragment", frag_last6),
    OK("tcp6 atomic fragment", atomic6),
    OK("icmp6 DAD from ::", dad6),
    OK("ipv6 RH0 with no segments left", rh0_done6),
    {"frame of 10 bytes", BW_NET_TRUNC_ETH, trunc_eth, true},
    BAD("group source MAC", BW_NET_BAD_ETH_SRC, bad_eth_src),
    BAD("VLAN tag cut", BW_NET_TRUNC_VLAN, trunc_vlan),
    BAD("three VLAN tags", BW_NET_VLAN_TOO_DEEP, vlan_deep),
    BAD("ipv4 header cut", BW_NET_TRUNC_IPV4, trunc_ipv4),
    BAD("version 6 in 0x0800", BW_NET_BAD_IP_VERSION, bad_ver4),
    BAD("IHL 4", BW_NET_BAD_IHL, ihl_small),
    BAD("IHL 15 > total length", BW_NET_BAD_IHL, ihl_big),
    BAD("total length 12", BW_NET_BAD_TOTAL_LEN, tot_small),
    BAD("total length past frame", BW_NET_BAD_TOTAL_LEN, tot_big),
    BAD("reserved flag", BW_NET_BAD_IP_RESERVED, evil_bit),
    BAD("ipv4 option length 1", BW_NET_BAD_IPV4_OPTION, opt_len1),
    BAD("ipv4 option past header", BW_NET_BAD_IPV4_OPTION, opt_long),
    BAD("LSRR", BW_NET_IPV4_SRC_ROUTE, lsrr),
    BAD("ipv6 header cut", BW_NET_TRUNC_IPV6, trunc_ipv6),
    BAD("ipv6 payload length past frame", BW_NET_BAD_PAYLOAD_LEN, plen_big),
    BAD("ipv6 payload length 0", BW_NET_BAD_PAYLOAD_LEN, plen_zero),
    BAD("ipv6 ext header cut", BW_NET_TRUNC_IPV6_EXT, trunc_ext6),
    BAD("nine ipv6 ext headers", BW_NET_V6_EXT_TOO_LONG, ext_long6),
    BAD("HBH after DestOpts", BW_NET_V6_HBH_NOT_FIRST, hbh_late6),
    BAD("two Fragment headers", BW_NET_V6_EXT_DUP, dup_frag6),
    BAD("RH0 with segments left", BW_NET_V6_RH0, rh0_6),
    BAD("source 0.1.2.3", BW_NET_MARTIAN_SRC, src_zero),
    BAD("source 127.0.0.1", BW_NET_MARTIAN_SRC, src_loop),
    BAD("source 224.0.0.5", BW_NET_MARTIAN_SRC, src_mcast),
    BAD("source 255.255.255.255", BW_NET_MARTIAN_SRC, src_bcast),
    BAD("source 240.0.0.1", BW_NET_MARTIAN_SRC, src_class_e),
    BAD("destination 127.0.0.1", BW_NET_MARTIAN_DST, dst_loop),
    BAD("land ipv4", BW_NET_LAND, land4),
    BAD("source ::1", BW_NET_MARTIAN_SRC, src_loop6),
    BAD("source ff02::1", BW_NET_MARTIAN_SRC, src_mcast6),
    BAD("source ::ffff:1.2.3.4", BW_NET_MARTIAN_SRC, src_mapped6),
    BAD("tcp6 from ::", BW_NET_MARTIAN_SRC, src_any6),
    BAD("destination ::1", BW_NET_MARTIAN_DST, dst_loop6),
    BAD("land ipv6", BW_NET_LAND, land6),
    BAD("ping of death", BW_NET_FRAG_BAD_OFFSET, ping_of_death),
    BAD("ipv4 fragment of 21 bytes with MF", BW_NET_FRAG_BAD_LEN, frag_odd4),
    BAD("TCP fragment at offset 8", BW_NET_FRAG_OVERLAP, frag_overlap4),
    BAD("first ipv4 fragment with 8 TCP bytes", BW_NET_FRAG_TINY, frag_tiny4),
    BAD("first ipv6 fragment with 8 TCP bytes", BW_NET_FRAG_TINY, frag_tiny6),
    BAD("ipv6 fragment of 100 bytes with M", BW_NET_FRAG_BAD_LEN, frag_odd6),
    BAD("TCP header cut", BW_NET_TRUNC_TCP, trunc_tcp),
    BAD("TCP data offset 4", BW_NET_BAD_TCP_DOFF, doff_small),
    BAD("TCP data offset 15 past segment", BW_NET_BAD_TCP_DOFF, doff_big),
    BAD("MSS option length 3", BW_NET_BAD_TCP_OPTION, mss_len3),
    BAD("TCP option length 0", BW_NET_BAD_TCP_OPTION, opt_len0),
    BAD("TCP option past header", BW_NET_BAD_TCP_OPTION, opt_over),
    BAD("SACK of 12 bytes", BW_NET_BAD_TCP_OPTION, sack_len12),
    BAD("router alert of 3 bytes", BW_NET_BAD_IPV4_OPTION, ra_len3),
    BAD("xmas FIN+PSH+URG", BW_NET_TCP_XMAS, xmas),
    BAD("all flags", BW_NET_TCP_XMAS, all_flags),
    BAD("SYN+FIN", BW_NET_TCP_SYN_FIN, syn_fin),
    BAD("SYN+RST", BW_NET_TCP_SYN_RST, syn_rst),
    BAD("no flags", BW_NET_TCP_NO_FLAGS, null_scan),
    BAD("only ECE+CWR", BW_NET_TCP_NO_FLAGS, ecn_only),
    BAD("FIN alone", BW_NET_TCP_NO_ACK, fin_scan),
    BAD("PSH alone", BW_NET_TCP_NO_ACK, psh_only),
    BAD("UDP header cut", BW_NET_TRUNC_UDP, trunc_udp),
    BAD("UDP length 4", BW_NET_BAD_UDP_LEN, udp_len_small),
    BAD("UDP length past payload", BW_NET_BAD_UDP_LEN, udp_len_big),
    BAD("ICMP header cut", BW_NET_TRUNC_ICMP, trunc_icmp),
    BAD("ICMPv6 header cut", BW_NET_TRUNC_ICMP, trunc_icmp6),
    BAD("TCP destination port 0", BW_NET_ZERO_PORT, tcp_dport0),
    BAD("UDP source port 0", BW_NET_ZERO_PORT, udp_sport0),
    BAD("udp6 with checksum 0", BW_NET_UDP6_ZERO_CSUM, udp6_csum0),
};

const size_t tp_ncases = sizeof(tp_cases) / sizeof(tp_cases[0]);
