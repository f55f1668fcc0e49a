/* SPDX-License-Identifier: Apache-2.0 */
/*
 * The detector's report as JSON, each attack in the shape of Shield's AttackDetail
 * (DescribeAttack, shield-2016-06-02): AttackId, ResourceArn, SubResources (Type
 * IP, Id, AttackVectors with VectorCounters), StartTime, EndTime, AttackCounters
 * (SummarizedCounter: Name, Max, Average, Sum, N, Unit), AttackProperties
 * (AttackLayer NETWORK|APPLICATION, AttackPropertyIdentifier, TopContributors,
 * Unit, Total) and Mitigations (MitigationName), plus DetectionTime, the time the
 * detector first declared the attack. Timestamps are epoch seconds, as the AWS JSON
 * protocol sends them. SOURCE_IP_ADDRESS, SOURCE_USER_AGENT and DESTINATION_URL are
 * Shield's identifiers; SOURCE_PORT, TTL and PACKET_SIZE are this detector's own
 * additions, named in the same style.
 */
#include "detect/state.h"

#include <jansson.h>
#include <stdlib.h>

static json_t *ts(uint64_t ns)
{
    return json_real((double)(ns / 1000000ULL) / 1000.0);
}

static json_t *counter(const char *name, double max, double sum, uint64_t n, const char *unit)
{
    return json_pack("{s:s, s:f, s:f, s:f, s:I, s:s}", "Name", name, "Max", max, "Average",
                     n ? sum / (double)n : 0.0, "Sum", sum, "N", (json_int_t)n, "Unit", unit);
}

/* Total: every unit counted for the property, not just the top five (as Shield). */
static json_t *property(const char *layer, const char *id, const struct bw_detect_contrib *c,
                        const char *unit, uint64_t total)
{
    json_t *list = json_array();
    for (size_t i = 0; i < BW_DETECT_TOP && c[i].name[0]; i++)
        json_array_append_new(
            list, json_pack("{s:s, s:I}", "Name", c[i].name, "Value", (json_int_t)c[i].value));
    return json_pack("{s:s, s:s, s:o, s:s, s:I}", "AttackLayer", layer, "AttackPropertyIdentifier",
                     id, "TopContributors", list, "Unit", unit, "Total", (json_int_t)total);
}

static json_t *vectors(const struct bw_detect_attack *a, uint64_t secs)
{
    json_t *list = json_array();
    for (int v = 0; v < BW_DETECT_V__COUNT; v++) {
        if (!(a->vectors & (1u << v)))
            continue;
        json_t *c = json_array();
        json_array_append_new(c, counter(v == BW_DETECT_V_REQUEST_FLOOD ? "Requests" : "Packets", 0,
                                         (double)a->vector_pkts[v], secs,
                                         v == BW_DETECT_V_REQUEST_FLOOD ? "Requests" : "Packets"));
        json_array_append_new(list, json_pack("{s:s, s:o}", "VectorType", bw_detect_vector_name(v),
                                              "VectorCounters", c));
    }
    return list;
}

static json_t *properties(const struct bw_detect_attack *a)
{
    json_t *p = json_array();
    json_array_append_new(
        p, property("NETWORK", "SOURCE_IP_ADDRESS", a->top_ip, "PACKETS", a->net_total));
    json_array_append_new(p,
                          property("NETWORK", "SOURCE_PORT", a->top_port, "PACKETS", a->net_total));
    json_array_append_new(p, property("NETWORK", "TTL", a->top_ttl, "PACKETS", a->net_total));
    json_array_append_new(p,
                          property("NETWORK", "PACKET_SIZE", a->top_size, "PACKETS", a->net_total));
    if (a->vectors & (1u << BW_DETECT_V_REQUEST_FLOOD)) {
        json_array_append_new(p, property("APPLICATION", "SOURCE_IP_ADDRESS", a->top_req_ip,
                                          "REQUESTS", a->req_total));
        json_array_append_new(
            p, property("APPLICATION", "SOURCE_USER_AGENT", a->top_ua, "REQUESTS", a->req_total));
        json_array_append_new(
            p, property("APPLICATION", "DESTINATION_URL", a->top_url, "REQUESTS", a->req_total));
    }
    return p;
}

static json_t *attack_json(const struct bw_detect_attack *a)
{
    uint64_t end = a->end_ns ? a->end_ns : a->start_ns;
    uint64_t secs = (end - a->start_ns) / 1000000000ULL + 1;
    json_t *counters = json_array();
    json_array_append_new(counters,
                          counter("Packets", a->max_pps, (double)a->pkts, secs, "Packets"));
    json_array_append_new(counters,
                          counter("Bits", a->max_bps, 8.0 * (double)a->bytes, secs, "Bits"));
    json_array_append_new(counters,
                          counter("Requests", a->max_rps, (double)a->requests, secs, "Requests"));
    json_array_append_new(counters, counter("DistinctSources", (double)a->distinct_sources,
                                            (double)a->distinct_sources, 1, "Sources"));
    json_t *mit = json_array();
    for (int v = 0; v < BW_DETECT_V__COUNT; v++)
        if (a->vectors & (1u << v))
            json_array_append_new(mit, json_pack("{s:s, s:s}", "MitigationName",
                                                 bw_detect_vector_rule(v)->name, "Description",
                                                 bw_detect_vector_rule(v)->describe));
    json_t *sub = json_pack("[{s:s, s:s, s:o, s:[]}]", "Type", "IP", "Id", a->addr, "AttackVectors",
                            vectors(a, secs), "Counters");
    json_t *o =
        json_pack("{s:s, s:s, s:o, s:o, s:o, s:o, s:o, s:o, s:o}", "AttackId", a->id, "ResourceArn",
                  a->arn, "SubResources", sub, "StartTime", ts(a->start_ns), "DetectionTime",
                  ts(a->detect_ns), "AttackCounters", counters, "AttackProperties", properties(a),
                  "Mitigations", mit, "SampledPackets", json_integer((json_int_t)a->n_samples));
    json_object_set_new(o, "EndTime", a->end_ns ? ts(a->end_ns) : json_null());
    return o;
}

char *bw_detect_report(struct bw_detect *d, const struct bw_detect_count *extra, size_t n_extra,
                       uint64_t records)
{
    json_t *attacks = json_array();
    for (size_t i = 0; i < bw_detect_attack_count(d); i++)
        json_array_append_new(attacks, attack_json(bw_detect_attack_get(d, i)));
    json_t *drops = json_object();
    for (int r = 1; r < BW_DETECT_DROP__COUNT; r++)
        json_object_set_new(drops, bw_detect_drop_name(r), json_integer((json_int_t)d->drops[r]));
    for (size_t i = 0; i < n_extra; i++)
        json_object_set_new(drops, extra[i].name, json_integer((json_int_t)extra[i].n));
    json_t *by_rule = json_object();
    for (int v = 0; v < BW_DETECT_V__COUNT; v++)
        if (d->drops_by_rule[v])
            json_object_set_new(by_rule, bw_detect_vector_rule(v)->name,
                                json_integer((json_int_t)d->drops_by_rule[v]));
    json_t *root = json_pack("{s:o, s:o, s:o, s:I}", "Attacks", attacks, "Drops", drops,
                             "DropsByMitigation", by_rule, "Records", (json_int_t)records);
    char *s = json_dumps(root, JSON_INDENT(2) | JSON_SORT_KEYS);
    json_decref(root);
    if (!s)
        bw_oom();
    return s;
}
