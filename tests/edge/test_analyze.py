# SPDX-License-Identifier: Apache-2.0
"""`bulwark edge analyze` over the labelled captures of gen.py (ground truth beside each).

Environment: BW_BULWARK (the bulwark binary) and BW_EDGE_CAPS (the folder the
edge_captures test filled with gen.py). Asserts what a user of the analyser sees:
the attacks in the report, the verdict bytes, the drop counts and the sample pcaps.
"""
import json
import os
import struct
import subprocess

import pytest

BULWARK = os.environ.get("BW_BULWARK", "bulwark")
CAPS = os.environ.get("BW_EDGE_CAPS", "caps")
VECTORS = ["SYN_FLOOD", "ACK_FLOOD", "UDP_TRAFFIC", "UDP_FRAGMENT", "HTTP_REFLECTION",
           "REQUEST_FLOOD", "SLOWLORIS", "CHARGEN_REFLECTION", "DNS_REFLECTION",
           "GENERIC_UDP_REFLECTION", "MEMCACHED_REFLECTION", "MSSQL_REFLECTION",
           "NET_BIOS_REFLECTION", "NTP_REFLECTION", "PORT_MAPPER", "RIP_REFLECTION",
           "SNMP_REFLECTION", "SSDP_REFLECTION", "UDS_REFLECTION"]
BENIGN_IN, FROM_RESOURCE, ATTACK, MALFORMED = 0, 1, 2, 3


def truth(name):
    with open(os.path.join(CAPS, name + ".json")) as f:
        return json.load(f)


def times(path):
    """Record timestamps (seconds) of a classic nanosecond pcap."""
    out = []
    with open(path, "rb") as f:
        data = f.read()
    off = 24
    while off < len(data):
        sec, ns, caplen, _ = struct.unpack_from("<IIII", data, off)
        out.append(sec + ns / 1e9)
        off += 16 + caplen
    return out


def analyze(tmp_path, name, *extra, ext=".pcap"):
    t = truth(name)
    report, verdicts = tmp_path / "report.json", tmp_path / "verdicts.bin"
    args = [BULWARK, "edge", "analyze", "--pcap", os.path.join(CAPS, name + ext),
            "--protect", "%s=%s" % (t["resource"], t["arn"]),
            "--protect", "%s/64=%s-v6" % (t["resource6"], t["arn"]), "--report", str(report),
            "--verdicts", str(verdicts), "--samples", str(tmp_path / "samples")]
    if "capacity_pps" in t:
        args += ["--capacity-pps", str(t["capacity_pps"])]
    p = subprocess.run(args + list(extra), capture_output=True, timeout=120)
    assert p.returncode == 0, p.stderr.decode()
    with open(report) as f:
        rep = json.load(f)
    return t, rep, verdicts.read_bytes(), p


def labels(name):
    with open(os.path.join(CAPS, name + ".labels"), "rb") as f:
        return f.read()


def benign_kept(name, verdicts, t0=None, t1=None):
    lab, ts = labels(name), times(os.path.join(CAPS, name + ".pcap"))
    n = kept = 0
    for lb, v, t in zip(lab, verdicts, ts):
        if lb in (BENIGN_IN, FROM_RESOURCE) and (t0 is None or t0 <= t <= t1):
            n += 1
            kept += v == 0
    return kept / n


@pytest.mark.parametrize("vector", VECTORS)
def test_vector_detected_named_and_timed(tmp_path, vector):
    t, rep, verdicts, _ = analyze(tmp_path, vector)
    want = t["vectors"][0]
    assert len(verdicts) == t["records"]
    hits = [a for a in rep["Attacks"]
            if vector in [v["VectorType"] for v in a["SubResources"][0]["AttackVectors"]]]
    assert len(hits) == 1, json.dumps(rep["Attacks"], indent=1)[:3000]
    a = hits[0]
    assert a["ResourceArn"] == t["arn"]
    assert a["SubResources"][0]["Id"] == t["resource"]
    assert want["start"] - 1 <= a["DetectionTime"] <= want["start"] + 2
    assert a["StartTime"] <= a["DetectionTime"]
    assert a["EndTime"] is not None and abs(a["EndTime"] - want["end"]) <= 10
    assert a["Mitigations"] and a["Mitigations"][0]["MitigationName"]
    if vector != "SYN_FLOOD":  # spoofed SYNs stay under the per-source limit
        assert rep["DropsByMitigation"][a["Mitigations"][0]["MitigationName"]] > 0
    assert sum(rep["DropsByMitigation"].values()) == rep["Drops"]["mitigated"]
    props = {(p["AttackLayer"], p["AttackPropertyIdentifier"]): p for p in a["AttackProperties"]}
    assert props[("NETWORK", "SOURCE_IP_ADDRESS")]["TopContributors"]
    # Samples: a pcap per attack with at least one packet in it.
    sample = tmp_path / "samples" / (a["AttackId"] + ".pcap")
    assert sample.exists() and sample.stat().st_size > 24 + 16
    assert len(times(str(sample))) == a["SampledPackets"] > 0
    # The resource's own packets are evidence, never dropped; legitimate clients keep
    # getting through while the mitigation is installed.
    assert all(v == 0 for lb, v in zip(labels(vector), verdicts) if lb == FROM_RESOURCE)
    assert benign_kept(vector, verdicts, want["start"], want["end"]) >= 0.95


def test_samples_are_pcaps_the_analyser_reads_back(tmp_path):
    _, rep, _, _ = analyze(tmp_path, "DNS_REFLECTION")
    a = rep["Attacks"][0]
    sample = tmp_path / "samples" / (a["AttackId"] + ".pcap")
    p = subprocess.run([BULWARK, "edge", "analyze", "--pcap", str(sample), "--protect",
                        truth("DNS_REFLECTION")["resource"], "--json"], capture_output=True,
                       timeout=60)
    assert p.returncode == 0, p.stderr
    back = json.loads(p.stdout)
    assert back["Records"] == a["SampledPackets"]
    # 1 in 100 of the attack's packets (1500/s for 12 s), bounded at 1000
    assert 150 <= a["SampledPackets"] <= 200


def test_http_port_declared(tmp_path):
    """Declaring another HTTP port keeps port 80; port 0 is refused (engine_test covers a
    flood on a declared port)."""
    t = truth("REQUEST_FLOOD")
    base = [BULWARK, "edge", "analyze", "--pcap", os.path.join(CAPS, "REQUEST_FLOOD.pcap"),
            "--protect", t["resource"], "--json"]
    p = subprocess.run(base + ["--http-port", "8080"], capture_output=True, timeout=60)
    assert p.returncode == 0
    rep = json.loads(p.stdout)
    assert rep["Attacks"][0]["SubResources"][0]["AttackVectors"][0]["VectorType"] == \
        "REQUEST_FLOOD"
    p = subprocess.run(base + ["--http-port", "0"], capture_output=True, timeout=60)
    assert p.returncode == 2


def test_request_flood_top_contributors(tmp_path):
    _, rep, _, _ = analyze(tmp_path, "REQUEST_FLOOD")
    a = rep["Attacks"][0]
    props = {(p["AttackLayer"], p["AttackPropertyIdentifier"]): p for p in a["AttackProperties"]}
    ua = props[("APPLICATION", "SOURCE_USER_AGENT")]["TopContributors"]
    url = props[("APPLICATION", "DESTINATION_URL")]["TopContributors"]
    ips = props[("APPLICATION", "SOURCE_IP_ADDRESS")]["TopContributors"]
    assert ua[0]["Name"] == "floodbot/1.0"
    assert url[0]["Name"] == "/search?q=flood"
    assert all(c["Name"].startswith("185.220.") for c in ips)
    # Total counts every request of the property, not only the top five's.
    req = props[("APPLICATION", "SOURCE_IP_ADDRESS")]
    assert req["Total"] > sum(c["Value"] for c in ips)
    counters = {c["Name"]: c for c in a["AttackCounters"]}
    assert 19 <= counters["DistinctSources"]["Sum"] <= 21  # the 20 bots (HyperLogLog)


def test_reflection_top_source_port(tmp_path):
    _, rep, _, _ = analyze(tmp_path, "SSDP_REFLECTION")
    props = {p["AttackPropertyIdentifier"]: p for p in rep["Attacks"][0]["AttackProperties"]}
    assert props["SOURCE_PORT"]["TopContributors"][0]["Name"] == "1900"


def test_two_attacks_two_resources_ipv6(tmp_path):
    t, rep, verdicts, _ = analyze(tmp_path, "multi")
    assert len(rep["Attacks"]) == 2, json.dumps(rep["Attacks"], indent=1)[:2000]
    for a, want in zip(sorted(rep["Attacks"], key=lambda a: a["StartTime"]), t["vectors"]):
        assert a["SubResources"][0]["Id"] == want["resource"]
        assert a["ResourceArn"] == (t["arn"] if ":" not in want["resource"] else t["arn"] + "-v6")
        assert [v["VectorType"] for v in a["SubResources"][0]["AttackVectors"]] == \
            [want["VectorType"]]
        assert want["start"] - 1 <= a["DetectionTime"] <= want["start"] + 2
        assert abs(a["EndTime"] - want["end"]) <= 10
    assert benign_kept("multi", verdicts) >= 0.95


def test_benign_nothing_reported_nothing_dropped(tmp_path):
    t, rep, verdicts, _ = analyze(tmp_path, "benign")
    assert rep["Attacks"] == []
    assert rep["Records"] == t["records"] == len(verdicts)
    assert set(verdicts) == {0}
    assert all(v == 0 for v in rep["Drops"].values())


def test_pcapng_reads_like_pcap(tmp_path):
    _, rep, verdicts, _ = analyze(tmp_path, "benign", ext=".pcapng")
    assert rep["Attacks"] == [] and rep["Records"] == truth("benign")["records"]
    assert set(verdicts) == {0}


def test_microsecond_pcap_reads_alike(tmp_path):
    """tcpdump's classic pcap has microsecond timestamps: same analysis, same verdicts."""
    src = os.path.join(CAPS, "SSDP_REFLECTION.pcap")
    with open(src, "rb") as f:
        data = f.read()
    out, off = [struct.pack("<IHHiIII", 0xA1B2C3D4, 2, 4, 0, 0, 262144, 1)], 24
    while off < len(data):
        sec, ns, caplen, wire = struct.unpack_from("<IIII", data, off)
        out.append(struct.pack("<IIII", sec, ns // 1000, caplen, wire))
        out.append(data[off + 16:off + 16 + caplen])
        off += 16 + caplen
    us = tmp_path / "us.pcap"
    us.write_bytes(b"".join(out))
    t = truth("SSDP_REFLECTION")
    runs = []
    for path in (src, str(us)):
        v = tmp_path / "v.bin"
        p = subprocess.run([BULWARK, "edge", "analyze", "--pcap", path, "--protect",
                            t["resource"], "--verdicts", str(v), "--json"],
                           capture_output=True, timeout=60)
        assert p.returncode == 0, p.stderr
        rep = json.loads(p.stdout)
        runs.append((v.read_bytes(), [a["SubResources"][0]["AttackVectors"][0]["VectorType"]
                                      for a in rep["Attacks"]]))
    assert runs[0] == runs[1] and runs[0][1] == ["SSDP_REFLECTION"]


def test_flash_crowd_is_not_an_attack(tmp_path):
    _, rep, verdicts, _ = analyze(tmp_path, "flash")
    assert rep["Attacks"] == []
    assert set(verdicts) == {0}


def test_malformed_sets_reason_codes(tmp_path):
    t, rep, verdicts, _ = analyze(tmp_path, "malformed")
    for reason, n in t["malformed"].items():
        assert rep["Drops"].get(reason) == n, (reason, rep["Drops"])
    lab = labels("malformed")
    assert all(v == 1 for lb, v in zip(lab, verdicts) if lb == MALFORMED)
    assert all(v == 0 for lb, v in zip(lab, verdicts) if lb != MALFORMED)
    assert rep["Attacks"] == []


def test_priority_keeps_benign_clients_over_capacity(tmp_path):
    t, rep, verdicts, _ = analyze(tmp_path, "capacity")
    want = t["vectors"][0]
    assert [v["VectorType"] for v in rep["Attacks"][0]["SubResources"][0]["AttackVectors"]] == \
        ["SYN_FLOOD"]
    assert benign_kept("capacity", verdicts, want["start"], want["end"]) >= 0.95
    lab = labels("capacity")
    attack = [v for lb, v in zip(lab, verdicts) if lb == ATTACK]
    assert sum(attack) / len(attack) >= 0.9  # most of the flood is shed
    assert rep["Drops"]["deprioritised"] > 0


def test_progress_line_on_stderr(tmp_path):
    t = truth("capacity")
    p = subprocess.run([BULWARK, "edge", "analyze", "--pcap", os.path.join(CAPS, "capacity.pcap"),
                        "--protect", t["resource"]], capture_output=True, timeout=120,
                       env=dict(os.environ, BW_EDGE_PROGRESS_MS="0"))
    assert p.returncode == 0
    lines = [l for l in p.stderr.decode().splitlines() if "records," in l]
    assert len(lines) == t["records"] // 65536
    assert lines[0].startswith("bulwark edge analyze: 65536 records, ")


def test_json_on_stdout(tmp_path):
    t, _, _, p = analyze(tmp_path, "SYN_FLOOD", "--json")
    rep = json.loads(p.stdout)
    assert rep["Records"] == t["records"]
    assert rep["Attacks"][0]["SubResources"][0]["AttackVectors"][0]["VectorType"] == "SYN_FLOOD"


def test_non_ethernet_capture_is_refused(tmp_path):
    raw = tmp_path / "raw.pcap"  # LINKTYPE_RAW (101): IP without an Ethernet header
    raw.write_bytes(struct.pack("<IHHiIII", 0xA1B2C3D4, 2, 4, 0, 0, 65535, 101))
    p = subprocess.run([BULWARK, "edge", "analyze", "--pcap", str(raw), "--protect", "10.0.0.1"],
                       capture_output=True, timeout=30)
    assert p.returncode == 1
    assert b"not Ethernet" in p.stderr


@pytest.mark.parametrize("args,code", [
    ([], 2),
    (["--pcap", "x.pcap"], 2),
    (["--pcap", "x.pcap", "--protect", "300.1.1.1"], 2),
    (["--pcap", "x.pcap", "--protect", "10.0.0.1/33"], 2),
    (["--pcap", "x.pcap", "--protect", "10.0.0.1", "--capacity-pps", "-5"], 2),
    (["--pcap", "/nonexistent.pcap", "--protect", "10.0.0.1"], 1),
])
def test_usage_errors(args, code):
    p = subprocess.run([BULWARK, "edge", "analyze"] + args, capture_output=True, timeout=30)
    assert p.returncode == code, p.stderr
    assert p.stderr


def test_generator_frames_are_well_formed_for_scapy():
    """An independent decoder agrees the benign mix is what it claims to be."""
    scapy = pytest.importorskip("scapy.all")
    pkts = scapy.rdpcap(os.path.join(CAPS, "benign.pcap"), count=1500)
    kinds = set()
    for p in pkts:
        if scapy.IP in p:
            ip = p[scapy.IP]
            fixed = scapy.IP(bytes(ip))
            del fixed.chksum
            assert scapy.IP(bytes(fixed)).chksum == ip.chksum
            assert ip.len == len(bytes(ip))
            kinds.add("frag" if ip.flags.MF or ip.frag else "v4")
        else:
            assert scapy.IPv6 in p
            kinds.add("v6")
        if scapy.TCP in p and p[scapy.TCP].flags & 0x42 == 0x42:
            kinds.add("ecn-syn")
    assert {"v4", "v6", "frag", "ecn-syn"} <= kinds
