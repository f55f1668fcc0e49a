/* SPDX-License-Identifier: Apache-2.0 */
/*
 * Loads src/bpf/xdp_bulwark.o through libbpf (so the kernel verifier must accept it),
 * attaches it in generic (SKB) mode to one end of a veth pair inside a network namespace
 * this test creates for itself, sends every labelled frame of tests/unit/net/cases.c
 * through the other end with a raw AF_PACKET socket, and checks that (1) the per-CPU
 * counter of the frame's expected verdict went up by one, and (2) well-formed frames
 * reached the receiving side while malformed ones did not. Needs root; exits 77 (ctest
 * SKIP) with a message when not root. Then, with BPF_PROG_TEST_RUN, it runs every
 * file of a corpus directory (the decoder's fuzz corpus: hostile frames) through the
 * loaded program and checks the kernel's verdict against bw_net_decode in userspace:
 * one classifier, the same answer in both builds.
 * Usage: net_xdp_test XDP_OBJECT [CORPUS_DIR]
 */
#include <arpa/inet.h>
#include <dirent.h>
#include <errno.h>
#include <linux/if_ether.h>
#include <linux/if_link.h>
#include <linux/if_packet.h>
#include <net/if.h>
#include <poll.h>
#include <sched.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/socket.h>
#include <unistd.h>

#include <bpf/bpf.h>
#include <bpf/libbpf.h>

#include "cases.h"

#define IF_TX "bwv0"
#define IF_RX "bwv1"

struct xdp_env {
    struct bpf_object *obj;
    int prog_fd;
    int map_fd;
    int ncpu;
    int tx, rx;
    int ifindex_rx;
};

static int sh(const char *cmd)
{
    int rc = system(cmd);
    if (rc != 0)
        fprintf(stderr, "xdp_test: '%s' failed (%d)\n", cmd, rc);
    return rc;
}

static int write_file(const char *path, const char *s)
{
    FILE *f = fopen(path, "w");
    if (!f)
        return -1;
    int rc = fputs(s, f) < 0 ? -1 : 0;
    return fclose(f) != 0 ? -1 : rc;
}

/* A fresh network namespace with a veth pair; IPv6 off so the kernel sends nothing. */
static int make_netns(void)
{
    if (unshare(CLONE_NEWNET) != 0) {
        perror("xdp_test: unshare(CLONE_NEWNET)");
        return -1;
    }
    if (sh("ip link add " IF_TX " address 02:00:00:00:00:01 type veth peer name " IF_RX
           " address 02:00:00:00:00:02") != 0)
        return -1;
    write_file("/proc/sys/net/ipv6/conf/" IF_TX "/disable_ipv6", "1");
    write_file("/proc/sys/net/ipv6/conf/" IF_RX "/disable_ipv6", "1");
    if (sh("ip link set " IF_TX " up") != 0 || sh("ip link set " IF_RX " up") != 0)
        return -1;
    return 0;
}

static int packet_socket(const char *ifname)
{
    int fd = socket(AF_PACKET, SOCK_RAW | SOCK_NONBLOCK, htons(ETH_P_ALL));
    if (fd < 0)
        return -1;
    struct sockaddr_ll sa = {.sll_family = AF_PACKET,
                             .sll_protocol = htons(ETH_P_ALL),
                             .sll_ifindex = (int)if_nametoindex(ifname)};
    if (bind(fd, (struct sockaddr *)&sa, sizeof(sa)) != 0) {
        close(fd);
        return -1;
    }
    return fd;
}

static int load_and_attach(struct xdp_env *e, const char *path)
{
    e->obj = bpf_object__open_file(path, NULL);
    if (!e->obj || libbpf_get_error(e->obj)) {
        fprintf(stderr, "xdp_test: cannot open %s\n", path);
        return -1;
    }
    if (bpf_object__load(e->obj) != 0) {
        fprintf(stderr, "xdp_test: the verifier rejected %s (log above)\n", path);
        return -1;
    }
    struct bpf_program *prog = bpf_object__find_program_by_name(e->obj, "xdp_bulwark");
    e->map_fd = bpf_object__find_map_fd_by_name(e->obj, "bw_verdicts");
    e->ncpu = libbpf_num_possible_cpus();
    e->ifindex_rx = (int)if_nametoindex(IF_RX);
    if (!prog || e->map_fd < 0 || e->ncpu <= 0 || e->ifindex_rx == 0)
        return -1;
    e->prog_fd = bpf_program__fd(prog);
    int rc = bpf_xdp_attach(e->ifindex_rx, bpf_program__fd(prog), XDP_FLAGS_SKB_MODE, NULL);
    if (rc != 0) {
        fprintf(stderr, "xdp_test: bpf_xdp_attach: %s\n", strerror(-rc));
        return -1;
    }
    return 0;
}

/* Packets counted for verdict v, summed over CPUs. */
static uint64_t count(const struct xdp_env *e, uint32_t v)
{
    uint64_t vals[2 * 1024] = {0};
    if (e->ncpu > 1024 || bpf_map_lookup_elem(e->map_fd, &v, vals) != 0)
        return UINT64_MAX;
    uint64_t sum = 0;
    for (int i = 0; i < e->ncpu; i++)
        sum += vals[2 * i];
    return sum;
}

/* Waits up to ms for a frame on rx that ends like p (VLAN tags may be stripped). */
static bool received(const struct xdp_env *e, const struct tp *p, int ms)
{
    uint8_t buf[4096];
    struct pollfd pfd = {.fd = e->rx, .events = POLLIN};
    size_t tail = p->n < 24 ? p->n - 14 : 10;
    while (poll(&pfd, 1, ms) > 0) {
        ssize_t n = recv(e->rx, buf, sizeof(buf), 0);
        if (n < (ssize_t)tail)
            continue;
        if (memcmp(buf + n - tail, p->b + p->n - tail, tail) == 0 && (size_t)n + 8 >= p->n)
            return true;
    }
    return false;
}

static void drain(const struct xdp_env *e)
{
    uint8_t buf[4096];
    while (recv(e->rx, buf, sizeof(buf), 0) > 0)
        ;
}

/* Sends one case and checks its counter and its delivery; 0 when right. */
static int run_case(const struct xdp_env *e, const struct tp_case *c)
{
    struct tp p;
    c->build(&p);
    drain(e);
    uint64_t before = count(e, c->want);
    if (send(e->tx, p.b, p.n, 0) != (ssize_t)p.n) {
        fprintf(stderr, "FAIL %s: send: %s\n", c->name, strerror(errno));
        return 1;
    }
    bool got = received(e, &p, c->want == BW_NET_OK ? 1000 : 50);
    uint64_t after = count(e, c->want);
    if (after != before + 1 || got != (c->want == BW_NET_OK)) {
        fprintf(stderr, "FAIL %s: counter %s %llu -> %llu, %s\n", c->name,
                bw_net_verdict_name(c->want), (unsigned long long)before, (unsigned long long)after,
                got ? "delivered" : "not delivered");
        return 1;
    }
    return 0;
}

/* One frame through BPF_PROG_TEST_RUN: the program's counter for bw_net_decode's verdict
 * must rise by one and its action match. 0 when it agrees, 1 when not, -1 when the
 * kernel refuses the frame (shorter than Ethernet). */
static int same_verdict(const struct xdp_env *e, const uint8_t *b, size_t n, const char *name)
{
    struct bw_net_flow f;
    enum bw_net_verdict v = bw_net_decode(b, b + n, &f);
    uint64_t before = count(e, v);
    LIBBPF_OPTS(bpf_test_run_opts, o, .data_in = b, .data_size_in = (uint32_t)n, .repeat = 1);
    if (bpf_prog_test_run_opts(e->prog_fd, &o) != 0)
        return -1;
    uint32_t want = v == BW_NET_OK ? XDP_PASS : XDP_DROP;
    if (count(e, v) != before + 1 || o.retval != want) {
        fprintf(stderr, "FAIL %s: userspace says %s, the XDP program returned %u\n", name,
                bw_net_verdict_name(v), o.retval);
        return 1;
    }
    return 0;
}

static int run_corpus(const struct xdp_env *e, const char *dir, int *checked)
{
    DIR *d = opendir(dir);
    struct dirent *de;
    int failed = 0;
    if (!d) {
        perror(dir);
        return 1;
    }
    while ((de = readdir(d)) != NULL) {
        char path[4096];
        uint8_t buf[4096];
        if (de->d_name[0] == '.')
            continue;
        snprintf(path, sizeof(path), "%s/%s", dir, de->d_name);
        FILE *fp = fopen(path, "rb");
        if (!fp)
            continue;
        size_t n = fread(buf, 1, sizeof(buf), fp);
        fclose(fp);
        int rc = n >= 14 ? same_verdict(e, buf, n, de->d_name) : -1;
        failed += rc > 0;
        *checked += rc >= 0;
    }
    closedir(d);
    return failed;
}

int main(int argc, char **argv)
{
    if (argc != 2 && argc != 3) {
        fprintf(stderr, "usage: %s XDP_OBJECT [CORPUS_DIR]\n", argv[0]);
        return 2;
    }
    if (geteuid() != 0) {
        printf("SKIP: net_xdp_test needs root (network namespace, veth, XDP attach)\n");
        return 77;
    }
    struct xdp_env e = {.tx = -1, .rx = -1};
    if (make_netns() != 0 || load_and_attach(&e, argv[1]) != 0)
        return 1;
    e.tx = packet_socket(IF_TX);
    e.rx = packet_socket(IF_RX);
    if (e.tx < 0 || e.rx < 0) {
        perror("xdp_test: AF_PACKET socket");
        return 1;
    }
    int failed = 0, sent = 0;
    for (size_t i = 0; i < tp_ncases; i++) {
        if (tp_cases[i].nowire)
            continue;
        failed += run_case(&e, &tp_cases[i]);
        sent++;
    }
    printf("xdp_test: %d frames through the verifier-loaded XDP program, %d wrong\n", sent, failed);
    if (argc == 3) {
        int checked = 0, bad = run_corpus(&e, argv[2], &checked);
        printf("xdp_test: %d corpus frames through BPF_PROG_TEST_RUN, %d disagree with userspace\n",
               checked, bad);
        failed += bad + (checked == 0);
    }
    bpf_xdp_detach(e.ifindex_rx, XDP_FLAGS_SKB_MODE, NULL);
    bpf_object__close(e.obj);
    close(e.tx);
    close(e.rx);
    return failed ? 1 : 0;
}
