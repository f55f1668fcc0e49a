# SPDX-License-Identifier: Apache-2.0
"""Labelled capture generator for the Shield detector.

Writes, into OUTDIR, one capture per scenario (NAME.pcap, classic pcap with
nanosecond timestamps; benign also as NAME.pcapng) with its ground truth beside it:
NAME.json (the protected resource, the injected vectors with start/end capture
times, the malformed packets per decoder reason) and NAME.labels (one byte per
record: 0 benign to the resource, 1 from the resource, 2 attack, 3 malformed).

The benign mix: web clients (private, shared 100.64/10 and benchmarking 198.18/15
addresses) completing TCP handshakes with varied URLs and User-Agents, some with
ECN-negotiating SYNs, some ending with RST; DNS clients querying the resource; the
resource's own DNS queries (some answers large and fragmented) and NTP queries with
their replies from ports 53 and 123. Packets are built with struct (scapy is far too
slow for a million packets); all randomness is seeded, so captures are reproducible.

usage: gen.py OUTDIR [SCENARIO ...]
"""
import hashlib
import json
import os
import random
import socket
import struct
import sys

BASE = 1_700_000_000.0
VICTIM = "198.51.100.10"
VICTIM6 = "2001:db8:100::10"
UPSTREAM = "192.0.2.80"  # an HTTPS API the resource itself calls
ARN = "arn:aws:ec2:us-east-1:123456789012:eip-allocation/eipalloc-0bulwark"
RESOLVER = "192.0.2.53"
NTPSRV = "192.0.2.123"
MAC_C = b"\x02\x00\x00\x00\x00\x01"
MAC_S = b"\x02\x00\x00\x00\x00\x02"
PRE = 35.0  # benign seconds before an attack (the detector warms up for 20)
ATTACK = 12.0
POST = 20.0

URLS = ["/", "/index.html", "/products", "/products/42", "/cart", "/search?q=shoes",
        "/about", "/static/app.js", "/static/style.css", "/api/v1/items?page=2"]
UAS = ["Mozilla/5.0 (X11; Linux x86_64) Firefox/120.0",
       "Mozilla/5.0 (Windows NT 10.0; Win64; x64) Chrome/119.0",
       "Mozilla/5.0 (Macintosh; Intel Mac OS X 14_1) Safari/605.1.15",
       "curl/8.4.0", "Mozilla/5.0 (iPhone; CPU iPhone OS 17_1) Mobile/15E148"]

B, S, A, M = 0, 1, 2, 3  # labels


def ip4(s):
    return bytes(int(x) for x in s.split("."))


def csum(b):
    if len(b) % 2:
        b += b"\0"
    s = sum(struct.unpack("!%dH" % (len(b) // 2), b))
    while s >> 16:
        s = (s & 0xFFFF) + (s >> 16)
    return ~s & 0xFFFF


def ipv4(src, dst, proto, payload, ttl=64, ident=0, frag=0, mf=False, df=False, tlen=None,
         ihl=5, opts=b""):
    flags = (0x2000 if mf else 0) | (0x4000 if df else 0) | (frag // 8)
    total = tlen if tlen is not None else 20 + len(opts) + len(payload)
    h = struct.pack("!BBHHHBBH4s4s", 0x40 | ihl, 0, total, ident, flags, ttl, proto, 0,
                    ip4(src), ip4(dst)) + opts
    h = h[:10] + struct.pack("!H", csum(h)) + h[12:]
    return h + payload


def ipv6(src, dst, nh, payload, hlim=64):
    return struct.pack("!IHBB16s16s", 0x60000000, len(payload), nh, hlim,
                       socket.inet_pton(socket.AF_INET6, src),
                       socket.inet_pton(socket.AF_INET6, dst)) + payload


def eth(l3, out=False, v6=False):
    return ((MAC_C + MAC_S if out else MAC_S + MAC_C) + (b"\x86\xdd" if v6 else b"\x08\x00")
            + l3)


def ip(src, dst, proto, payload, ttl):
    out = src in (VICTIM, VICTIM6)
    if ":" in src:
        return eth(ipv6(src, dst, proto, payload, ttl), out=out, v6=True)
    return eth(ipv4(src, dst, proto, payload, ttl=ttl), out=out)


def tcp(src, dst, sport, dport, flags, seq=0, ack=0, data=b"", ttl=64, doff=5, opts=b""):
    h = struct.pack("!HHIIBBHHH", sport, dport, seq & 0xFFFFFFFF, ack & 0xFFFFFFFF,
                    doff << 4, flags, 65535, 0, 0) + opts
    return ip(src, dst, 6, h + data, ttl)


def udp(src, dst, sport, dport, data, ttl=64):
    h = struct.pack("!HHHH", sport, dport, 8 + len(data), 0)
    return ip(src, dst, 17, h + data, ttl)


def icmp_echo(src, dst, ident, seq):
    if ":" in src:
        return ip(src, dst, 58, struct.pack("!BBHHH", 128, 0, 0, ident, seq) + b"p" * 56, 64)
    return ip(src, dst, 1, struct.pack("!BBHHH", 8, 0, 0, ident, seq) + b"p" * 56, 64)


FIN, SYN, RST, PSH, ACK, URG, ECE, CWR = 1, 2, 4, 8, 16, 32, 64, 128
MSS = b"\x02\x04\x05\xb4\x01\x01\x04\x02"  # MSS 1460, NOP NOP SACK-permitted


class Cap:
    def __init__(self, rng):
        self.rng = rng
        self.pk = []  # (t, seq, frame, label)

    def add(self, t, frame, label):
        self.pk.append((t, len(self.pk), frame, label))


def web_conn(c, t, cli, url, ua, label=B, ecn=False, rst=False, srv=VICTIM):
    r = c.rng
    sp = r.randint(1024, 65535)
    cs, ss = r.getrandbits(32), r.getrandbits(32)
    rtt = r.uniform(0.005, 0.04)
    ttl = 50 + (sum(cli.encode()) % 12)
    c.add(t, tcp(cli, srv, sp, 80, SYN | (ECE | CWR if ecn else 0), cs, 0, ttl=ttl, doff=7,
                 opts=MSS), label)
    c.add(t + rtt / 2, tcp(srv, cli, 80, sp, SYN | ACK, ss, cs + 1, doff=7, opts=MSS), S)
    c.add(t + rtt, tcp(cli, srv, sp, 80, ACK, cs + 1, ss + 1, ttl=ttl), label)
    req = ("GET %s HTTP/1.1\r\nHost: shop.example\r\nUser-Agent: %s\r\nAccept: */*\r\n\r\n"
           % (url, ua)).encode()
    c.add(t + rtt + 0.001, tcp(cli, srv, sp, 80, PSH | ACK, cs + 1, ss + 1, req, ttl=ttl),
          label)
    body = b"HTTP/1.1 200 OK\r\nContent-Length: 900\r\n\r\n" + b"x" * 900
    t2 = t + 1.5 * rtt + 0.002
    c.add(t2, tcp(srv, cli, 80, sp, PSH | ACK, ss + 1, cs + 1 + len(req), body), S)
    c.add(t2 + rtt / 2, tcp(cli, srv, sp, 80, ACK, cs + 1 + len(req), ss + 1 + len(body),
                            ttl=ttl), label)
    t3 = t2 + rtt / 2 + 0.001
    if rst:
        c.add(t3, tcp(cli, srv, sp, 80, RST | ACK, cs + 1 + len(req), ss + 1 + len(body),
                      ttl=ttl), label)
        return
    c.add(t3, tcp(cli, srv, sp, 80, FIN | ACK, cs + 1 + len(req), ss + 1 + len(body),
                  ttl=ttl), label)
    c.add(t3 + rtt / 2, tcp(srv, cli, 80, sp, FIN | ACK, ss + 1 + len(body),
                            cs + 2 + len(req)), S)
    c.add(t3 + rtt, tcp(cli, srv, sp, 80, ACK, cs + 2 + len(req), ss + 2 + len(body),
                        ttl=ttl), label)


def client_pool(n, seed):
    r = random.Random(seed)
    nets = [("10.%d.%d.%d", 3), ("192.168.%d.%d", 2), ("172.16.%d.%d", 2),
            ("100.64.%d.%d", 2), ("198.18.%d.%d", 2), ("203.0.113.%d", 1)]
    out = set()
    while len(out) < n:
        fmt, k = r.choice(nets)
        out.add(fmt % tuple(r.randint(1, 254) for _ in range(k)))
    return sorted(out)


def dns_answer(rng, big):
    return bytes(rng.getrandbits(8) for _ in range(12)) + b"\x00" * (2400 if big else 80)


def benign(c, t0, t1, clients):
    r = c.rng
    # Each client opens a connection every ~5 s (about 40 connections/s for 200 clients).
    for cli in clients:
        t = t0 + r.uniform(0, 5)
        while t < t1:
            web_conn(c, t, cli, r.choice(URLS), r.choice(UAS), ecn=r.random() < 0.3,
                     rst=r.random() < 0.1)
            t += r.uniform(3, 7)
    dns_clients = clients[:20]
    t = t0
    while t < t1:  # DNS clients querying the resource (an authoritative server too)
        cli = r.choice(dns_clients)
        sp = r.randint(1024, 65535)
        c.add(t, udp(cli, VICTIM, sp, 53, b"\x12\x34\x01\x00" + b"\x00" * 30), B)
        c.add(t + 0.002, udp(VICTIM, cli, 53, sp, b"\x12\x34\x81\x80" + b"\x00" * 90), S)
        t += r.expovariate(20)
    t = t0
    ident = 1000
    while t < t1:  # the resource's own lookups; every fourth answer is large and fragmented
        sp = r.randint(1024, 65535)
        c.add(t, udp(VICTIM, RESOLVER, sp, 53, b"\xab\xcd\x01\x00" + b"\x00" * 30), S)
        big = r.random() < 0.25
        ans = dns_answer(r, big)
        if big:
            for frame in fragments(RESOLVER, VICTIM, 53, sp, ans, ident):
                c.add(t + 0.01, frame, B)
            ident += 1
        else:
            c.add(t + 0.01, udp(RESOLVER, VICTIM, 53, sp, ans), B)
        t += r.expovariate(2)
    t, k = t0, 0
    while t < t1:  # IPv6 web clients, pings (v4 and v6), the resource calling an HTTPS API
        cli6 = "2001:db8:77::%x" % r.randint(1, 40)
        web_conn(c, t, cli6, r.choice(URLS), r.choice(UAS), srv=VICTIM6)
        c.add(t + 0.3, icmp_echo(r.choice(clients), VICTIM, 7, k), B)
        c.add(t + 0.31, icmp_echo(cli6, VICTIM6, 8, k), B)
        up = r.randint(1024, 65535)
        cs, ss = r.getrandbits(32), r.getrandbits(32)
        c.add(t + 0.5, tcp(VICTIM, UPSTREAM, up, 443, SYN, cs, 0), S)
        c.add(t + 0.52, tcp(UPSTREAM, VICTIM, 443, up, SYN | ACK, ss, cs + 1), B)
        c.add(t + 0.53, tcp(VICTIM, UPSTREAM, up, 443, ACK, cs + 1, ss + 1, b"\x16" * 200), S)
        c.add(t + 0.55, tcp(UPSTREAM, VICTIM, 443, up, PSH | ACK, ss + 1, cs + 201, b"\x17" * 900), B)
        c.add(t + 0.56, tcp(VICTIM, UPSTREAM, up, 443, RST | ACK, cs + 201, ss + 901), S)
        t += r.uniform(0.5, 1.5)
        k += 1
    t = t0
    while t < t1:  # NTP: the resource asks, the server answers from port 123
        c.add(t, udp(VICTIM, NTPSRV, 123, 123, b"\x23" + b"\x00" * 47), S)
        c.add(t + 0.02, udp(NTPSRV, VICTIM, 123, 123, b"\x24" + b"\x00" * 47), B)
        t += 2.0


def fragments(src, dst, sport, dport, data, ident, ttl=57, label_size=1480):
    payload = struct.pack("!HHHH", sport, dport, 8 + len(data), 0) + data
    out, off = [], 0
    while off < len(payload):
        chunk = payload[off:off + label_size]
        mf = off + len(chunk) < len(payload)
        out.append(eth(ipv4(src, dst, 17, chunk, ttl=ttl, ident=ident, frag=off, mf=mf,
                            tlen=20 + len(chunk))))
        off += len(chunk)
    return out


def spoofed(r):
    return "%d.%d.%d.%d" % (r.choice([23, 45, 61, 77, 89, 91, 103, 141, 176, 185, 212]),
                           r.randint(0, 255), r.randint(0, 255), r.randint(1, 254))


def flood(c, t0, t1, pps, make):
    r = c.rng
    t, i = t0, 0
    step = 1.0 / pps
    while t < t1:
        for f, lab in make(r, i, t):
            c.add(t, f, lab)
        i += 1
        t += step * r.uniform(0.5, 1.5)


REFLECT = {"DNS_REFLECTION": (53, 1400), "NTP_REFLECTION": (123, 468),
           "CHARGEN_REFLECTION": (19, 1024), "SSDP_REFLECTION": (1900, 300),
           "PORT_MAPPER": (111, 800), "RIP_REFLECTION": (520, 504),
           "SNMP_REFLECTION": (161, 1200), "MSSQL_REFLECTION": (1434, 400),
           "NET_BIOS_REFLECTION": (137, 250), "UDS_REFLECTION": (10001, 200),
           "MEMCACHED_REFLECTION": (11211, 1400), "GENERIC_UDP_REFLECTION": (3702, 700)}


def reflectors(n, seed):
    r = random.Random(seed)
    return [spoofed(r) for _ in range(n)]


def attack(c, vector, t0, t1):
    if vector in REFLECT:
        port, size = REFLECT[vector]
        refl = reflectors(300, port)
        pay = b"\x00" * min(size, 600)  # capped: keeps the captures small
        flood(c, t0, t1, 1500, lambda r, i, t: [
            (udp(r.choice(refl), VICTIM, port, r.randint(1024, 65535), pay, ttl=r.randint(40, 60)),
             A)])
    elif vector == "SYN_FLOOD":
        flood(c, t0, t1, 3000, syn_pkt)
    elif vector == "ACK_FLOOD":
        flood(c, t0, t1, 3000, lambda r, i, t: [
            (tcp(spoofed(r), VICTIM, r.randint(1024, 65535), 80, ACK, r.getrandbits(32),
                 r.getrandbits(32), ttl=r.randint(30, 250)), A)])
    elif vector == "UDP_TRAFFIC":
        flood(c, t0, t1, 3000, lambda r, i, t: [
            (udp(spoofed(r), VICTIM, r.randint(1024, 65535), r.randint(1, 65535), b"\x00" * 512,
                 ttl=r.randint(30, 250)), A)])
    elif vector == "UDP_FRAGMENT":
        flood(c, t0, t1, 1200, lambda r, i, t: [
            (f, A) for f in fragments(spoofed(r), VICTIM, r.randint(1024, 65535), 7777,
                                      b"\x00" * 2900, r.getrandbits(16))])
    elif vector == "HTTP_REFLECTION":
        refl = reflectors(400, 80)
        flood(c, t0, t1, 2500, lambda r, i, t: [
            (tcp(r.choice(refl), VICTIM, 80, r.randint(1024, 65535), SYN | ACK, r.getrandbits(32),
                 r.getrandbits(32), ttl=r.randint(40, 60)), A)])
    elif vector == "REQUEST_FLOOD":
        request_flood(c, t0, t1)
    elif vector == "SLOWLORIS":
        slowloris(c, t0, t1)
    else:
        raise SystemExit("unknown vector " + vector)


def syn_pkt(r, i, t):
    src, sp, seq = spoofed(r), r.randint(1024, 65535), r.getrandbits(32)
    out = [(tcp(src, VICTIM, sp, 80, SYN, seq, 0, ttl=r.randint(30, 250)), A)]
    if i % 2 == 0:  # the victim answers some of them (the mirror sees it)
        out.append((tcp(VICTIM, src, 80, sp, SYN | ACK, r.getrandbits(32), seq + 1), S))
    return out


def syn_pkt6(r, i, t):
    src = "2a0%x:%x:%x::%x" % (r.randint(1, 9), r.getrandbits(16), r.getrandbits(16),
                               r.getrandbits(16) | 1)
    return [(tcp(src, VICTIM6, r.randint(1024, 65535), 80, SYN, r.getrandbits(32), 0,
                 ttl=r.randint(30, 250)), A)]


def request_flood(c, t0, t1):
    r = c.rng
    bots = ["%d.%d.%d.%d" % (185, 220, r.randint(0, 255), r.randint(1, 254)) for _ in range(20)]
    req = b"GET /search?q=flood HTTP/1.1\r\nHost: shop.example\r\nUser-Agent: floodbot/1.0\r\n\r\n"
    for b in bots:
        sp, cs, ss = r.randint(1024, 65535), r.getrandbits(32), r.getrandbits(32)
        t = t0 + r.uniform(0, 0.05)
        c.add(t, tcp(b, VICTIM, sp, 80, SYN, cs, 0), A)
        c.add(t + 0.01, tcp(VICTIM, b, 80, sp, SYN | ACK, ss, cs + 1), S)
        c.add(t + 0.02, tcp(b, VICTIM, sp, 80, ACK, cs + 1, ss + 1), A)
        seq, t = cs + 1, t + 0.03
        while t < t1:
            c.add(t, tcp(b, VICTIM, sp, 80, PSH | ACK, seq, ss + 1, req), A)
            c.add(t + 0.005, tcp(VICTIM, b, 80, sp, PSH | ACK, ss + 1, seq + len(req),
                                 b"HTTP/1.1 200 OK\r\nContent-Length: 0\r\n\r\n"), S)
            seq += len(req)
            t += r.uniform(0.02, 0.047)  # about 30 requests/s per bot
        c.add(t, tcp(b, VICTIM, sp, 80, RST | ACK, seq, ss + 1), A)


def slowloris(c, t0, t1):
    r = c.rng
    attackers = ["%d.%d.%d.%d" % (91, 134, r.randint(0, 255), r.randint(1, 254))
                 for _ in range(20)]
    head = b"GET /?%d HTTP/1.1\r\nHost: shop.example\r\nUser-Agent: Mozilla/5.0\r\n"
    for k in range(300):
        a = attackers[k % len(attackers)]
        sp, cs, ss = r.randint(1024, 65535), r.getrandbits(32), r.getrandbits(32)
        t = t0 + r.uniform(0, 0.5)
        c.add(t, tcp(a, VICTIM, sp, 80, SYN, cs, 0), A)
        c.add(t + 0.01, tcp(VICTIM, a, 80, sp, SYN | ACK, ss, cs + 1), S)
        c.add(t + 0.02, tcp(a, VICTIM, sp, 80, ACK, cs + 1, ss + 1), A)
        h = head % k
        c.add(t + 0.03, tcp(a, VICTIM, sp, 80, PSH | ACK, cs + 1, ss + 1, h), A)
        seq, t = cs + 1 + len(h), t + r.uniform(3, 6)
        while t < t1:
            x = b"X-a: %d\r\n" % r.randint(1, 5000)
            c.add(t, tcp(a, VICTIM, sp, 80, PSH | ACK, seq, ss + 1, x), A)
            seq += len(x)
            t += r.uniform(3, 6)
        c.add(t1, tcp(a, VICTIM, sp, 80, RST | ACK, seq, ss + 1), A)


def flash_crowd(c, t0, t1):
    r = c.rng
    crowd = ["%d.%d.%d.%d" % (r.choice([24, 67, 73, 98, 174]), r.randint(0, 255),
                              r.randint(0, 255), r.randint(1, 254)) for _ in range(6000)]
    for cli in crowd:
        t = r.uniform(t0, t1)
        for _ in range(r.choice([1, 1, 2])):
            web_conn(c, t, cli, r.choice(URLS[:3]), r.choice(UAS), ecn=r.random() < 0.3)
            t += r.uniform(1, 4)


def malformed(c, t0):
    """One set of packets per decoder reason; returns {reason: count}."""
    cli = "10.9.8.7"
    good_tcp = struct.pack("!HHIIBBHHH", 40000, 80, 1, 0, 5 << 4, SYN, 65535, 0, 0)
    sets = {
        "bad_ihl": lambda: eth(ipv4(cli, VICTIM, 6, good_tcp, ihl=4)),
        "bad_total_len": lambda: eth(ipv4(cli, VICTIM, 6, good_tcp, tlen=400)),
        "tcp_syn_fin": lambda: tcp(cli, VICTIM, 40000, 80, SYN | FIN, 1),
        "tcp_syn_rst": lambda: tcp(cli, VICTIM, 40000, 80, SYN | RST, 1),
        "tcp_no_flags": lambda: tcp(cli, VICTIM, 40000, 80, 0, 1),
        "tcp_xmas": lambda: tcp(cli, VICTIM, 40000, 80, FIN | PSH | URG | ACK, 1),
        "bad_tcp_doff": lambda: tcp(cli, VICTIM, 40000, 80, ACK, 1, doff=3),
        "land": lambda: tcp(VICTIM, VICTIM, 40000, 80, SYN, 1),
        "zero_port": lambda: udp(cli, VICTIM, 0, 53, b"\x00" * 20),
        "martian_src": lambda: tcp("127.0.0.1", VICTIM, 40000, 80, SYN, 1),
        "frag_tiny": lambda: eth(ipv4(cli, VICTIM, 6, good_tcp[:8], mf=True)),
        "trunc_tcp": lambda: eth(ipv4(cli, VICTIM, 6, good_tcp[:12])),
    }
    counts = {}
    t = t0
    for name, make in sets.items():
        n = 5
        for _ in range(n):
            c.add(t, make(), M)
            t += 0.01
        counts[name] = n
    return counts


def write_pcap(path, pk):
    with open(path, "wb") as f:
        f.write(struct.pack("<IHHiIII", 0xA1B23C4D, 2, 4, 0, 0, 262144, 1))
        for t, _, frame, _ in pk:
            ns = int(round(t * 1e9))
            f.write(struct.pack("<IIII", ns // 1_000_000_000, ns % 1_000_000_000, len(frame),
                                len(frame)))
            f.write(frame)


def write_pcapng(path, pk):
    def block(btype, body):
        body += b"\0" * (-len(body) % 4)
        n = 12 + len(body)
        return struct.pack("<II", btype, n) + body + struct.pack("<I", n)
    with open(path, "wb") as f:
        f.write(block(0x0A0D0D0A, struct.pack("<IHHq", 0x1A2B3C4D, 1, 0, -1)))
        tsres = struct.pack("<HHB", 9, 1, 9) + b"\0" * 3 + b"\0" * 4  # if_tsresol=ns, end
        f.write(block(1, struct.pack("<HHI", 1, 0, 262144) + tsres))
        for t, _, frame, _ in pk:
            ns = int(round(t * 1e9))
            f.write(block(6, struct.pack("<IIIII", 0, ns >> 32, ns & 0xFFFFFFFF, len(frame),
                                         len(frame)) + frame))


VECTORS = ["SYN_FLOOD", "ACK_FLOOD", "UDP_TRAFFIC", "UDP_FRAGMENT", "HTTP_REFLECTION",
           "REQUEST_FLOOD", "SLOWLORIS"] + sorted(REFLECT)


BENIGN = {}


def with_benign(c, t0, t1, clients):
    """The benign mix for [t0, t1): generated once, shared by every scenario."""
    if (t0, t1) not in BENIGN:
        b = Cap(random.Random(int(t1 - t0)))
        benign(b, t0, t1, clients)
        BENIGN[(t0, t1)] = b.pk
    c.pk.extend(BENIGN[(t0, t1)])


def scenario(name):
    seed = sum(name.encode()) * 7919 + len(name)
    c = Cap(random.Random(seed))
    clients = client_pool(200, 1)
    benign = with_benign
    truth = {"resource": VICTIM, "resource6": VICTIM6, "arn": ARN, "vectors": [],
             "malformed": {}}
    if name == "benign":
        benign(c, BASE, BASE + 70, clients)
    elif name == "flash":
        benign(c, BASE, BASE + PRE + 30 + POST, clients)
        flash_crowd(c, BASE + PRE, BASE + PRE + 30)
        truth["flash"] = [BASE + PRE, BASE + PRE + 30]
    elif name == "malformed":
        benign(c, BASE, BASE + 30, clients)
        truth["malformed"] = malformed(c, BASE + 25)
    elif name == "multi":  # two attacks in one capture, the second over IPv6
        benign(c, BASE, BASE + 95, clients)
        attack(c, "SSDP_REFLECTION", BASE + PRE, BASE + PRE + ATTACK)
        flood(c, BASE + 65, BASE + 75, 2000, syn_pkt6)
        truth["vectors"] = [
            {"VectorType": "SSDP_REFLECTION", "start": BASE + PRE, "end": BASE + PRE + ATTACK,
             "resource": VICTIM},
            {"VectorType": "SYN_FLOOD", "start": BASE + 65, "end": BASE + 75,
             "resource": VICTIM6 + "/64"}]
    elif name == "capacity":
        benign(c, BASE, BASE + PRE + 10 + POST, clients)
        flood(c, BASE + PRE, BASE + PRE + 10, 20000, syn_pkt)
        truth["vectors"].append({"VectorType": "SYN_FLOOD", "start": BASE + PRE,
                                 "end": BASE + PRE + 10})
        truth["capacity_pps"] = 1000
    else:
        benign(c, BASE, BASE + PRE + ATTACK + POST, clients)
        attack(c, name, BASE + PRE, BASE + PRE + ATTACK)
        truth["vectors"].append({"VectorType": name, "start": BASE + PRE,
                                 "end": BASE + PRE + ATTACK})
    c.pk.sort(key=lambda p: p[0])
    return c, truth


def main():
    out = sys.argv[1]
    names = sys.argv[2:] or ["benign", "flash", "malformed", "capacity", "multi"] + VECTORS
    os.makedirs(out, exist_ok=True)
    # Captures are reproducible: skip the work when this generator made them already.
    with open(__file__, "rb") as f:
        stamp = hashlib.sha256(f.read() + " ".join(names).encode()).hexdigest()
    stamp_path = os.path.join(out, ".generated")
    if os.path.exists(stamp_path) and open(stamp_path).read() == stamp and all(
            os.path.exists(os.path.join(out, n + ".labels")) for n in names):
        return
    for name in names:
        c, truth = scenario(name)
        write_pcap(os.path.join(out, name + ".pcap"), c.pk)
        if name == "benign":
            write_pcapng(os.path.join(out, name + ".pcapng"), c.pk)
        with open(os.path.join(out, name + ".labels"), "wb") as f:
            f.write(bytes(p[3] for p in c.pk))
        truth["records"] = len(c.pk)
        with open(os.path.join(out, name + ".json"), "w") as f:
            json.dump(truth, f, indent=1)
    with open(stamp_path, "w") as f:
        f.write(stamp)


if __name__ == "__main__":
    main()
