/* SPDX-License-Identifier: Apache-2.0 */
/*
 * The CloudTrail service (JSON 1.1, target prefix
 * com.amazonaws.cloudtrail.v20131101.CloudTrail_20131101, signing name
 * "cloudtrail") and the background file writer. The writer runs in its own
 * thread every 250 ms with a pooled store connection; it holds an exclusive
 * lock on <trails-dir>/.writer.lock so that only one process (the daemon, not
 * a `bulwark admin` command sharing the data dir) ever writes trail files. On
 * stop it delivers every pending event at once, then exits.
 */
#include "svc/cloudtrail/internal.h"

#include <errno.h>
#include <fcntl.h>
#include <pthread.h>
#include <stdlib.h>
#include <string.h>
#include <sys/file.h>
#include <sys/stat.h>
#include <time.h>
#include <unistd.h>

#include "common/log.h"
#include "common/util.h"

static const char *star(struct bw_call *c)
{
    (void)c;
    return "*";
}

static const struct bw_op ops[] = {
    {"CreateTrail", "cloudtrail:CreateTrail", BW_OP_MUTATES, bw_ct__name_arn, bw_ct__create_trail},
    {"UpdateTrail", "cloudtrail:UpdateTrail", BW_OP_MUTATES, bw_ct__name_arn, bw_ct__update_trail},
    {"DeleteTrail", "cloudtrail:DeleteTrail", BW_OP_MUTATES, bw_ct__name_arn, bw_ct__delete_trail},
    {"StartLogging", "cloudtrail:StartLogging", BW_OP_MUTATES, bw_ct__name_arn,
     bw_ct__start_logging},
    {"StopLogging", "cloudtrail:StopLogging", BW_OP_MUTATES, bw_ct__name_arn, bw_ct__stop_logging},
    {"GetTrail", "cloudtrail:GetTrail", 0, bw_ct__name_arn, bw_ct__get_trail},
    {"GetTrailStatus", "cloudtrail:GetTrailStatus", 0, bw_ct__name_arn, bw_ct__get_trail_status},
    {"DescribeTrails", "cloudtrail:DescribeTrails", 0, star, bw_ct__describe_trails},
    {"ListTrails", "cloudtrail:ListTrails", 0, star, bw_ct__list_trails},
    {"LookupEvents", "cloudtrail:LookupEvents", 0, star, bw_ct__lookup_events},
    {"ListPublicKeys", "cloudtrail:ListPublicKeys", 0, star, bw_ct__list_public_keys},
};

static const struct bw_service cloudtrail = {
    .name = "cloudtrail",
    .event_source = "cloudtrail.amazonaws.com",
    .protocol = BW_PROTO_JSON,
    .target_prefix = "com.amazonaws.cloudtrail.v20131101.CloudTrail_20131101",
    .access_denied = "AccessDeniedException",
    .ops = ops,
    .n_ops = sizeof ops / sizeof ops[0],
};

struct writer {
    struct bw_server *srv;
    struct bw_trail_writer_cfg cfg;
    char *base, *lock_path;
    int lock_fd;
    pthread_mutex_t mu;
    pthread_cond_t cv;
    bool stop;
    pthread_t thread;
};

static bool take_lock(struct writer *w)
{
    if (w->lock_fd >= 0)
        return true;
    mkdir(w->base, 0755);
    int fd = open(w->lock_path, O_RDWR | O_CREAT | O_CLOEXEC, 0600);
    if (fd < 0)
        return false;
    if (flock(fd, LOCK_EX | LOCK_NB) != 0) {
        close(fd);
        return false;
    }
    w->lock_fd = fd;
    return true;
}

static void pass(struct writer *w, bool force)
{
    if (!take_lock(w))
        return; /* another process (the daemon) writes this data dir's trail */
    struct bw_err err;
    bw_err_clear(&err);
    struct bw_db *db = bw_server_db(w->srv, &err);
    if (!db)
        return;
    size_t n;
    do /* LookupEvents' index first, in bounded transactions */
        bw_trail_index_run(db, 2000, &n, &err);
    while (n == 2000 && !err.code);
    bw_trail_writer_run(db, &w->cfg, bw_now_ms(), force, NULL, &err);
    bw_server_db_put(w->srv, db);
}

static void *loop(void *arg)
{
    struct writer *w = arg;
    pthread_mutex_lock(&w->mu);
    while (!w->stop) {
        struct timespec ts;
        clock_gettime(CLOCK_REALTIME, &ts);
        ts.tv_nsec += 250 * 1000000;
        if (ts.tv_nsec >= 1000000000) {
            ts.tv_sec++;
            ts.tv_nsec -= 1000000000;
        }
        pthread_cond_timedwait(&w->cv, &w->mu, &ts);
        if (w->stop)
            break;
        pthread_mutex_unlock(&w->mu);
        pass(w, false);
        pthread_mutex_lock(&w->mu);
    }
    pthread_mutex_unlock(&w->mu);
    return NULL;
}

static void writer_stop(void *arg)
{
    struct writer *w = arg;
    pthread_mutex_lock(&w->mu);
    w->stop = true;
    pthread_cond_signal(&w->cv);
    pthread_mutex_unlock(&w->mu);
    pthread_join(w->thread, NULL);
    if (w->lock_fd >= 0)
        pass(w, true); /* deliver what is pending before the store closes */
    if (w->lock_fd >= 0)
        close(w->lock_fd);
    pthread_mutex_destroy(&w->mu);
    pthread_cond_destroy(&w->cv);
    free(w->base);
    free(w->lock_path);
    free(w);
}

static char *dup_printf(const char *a, const char *b)
{
    size_t n = strlen(a) + strlen(b) + 1;
    char *s = malloc(n);
    if (!s)
        bw_oom();
    snprintf(s, n, "%s%s", a, b);
    return s;
}

void bw_svc_cloudtrail_register(struct bw_server *srv);
void bw_svc_cloudtrail_register(struct bw_server *srv)
{
    bw_server_add_service(srv, &cloudtrail);
    struct writer *w = calloc(1, sizeof *w);
    if (!w)
        bw_oom();
    w->srv = srv;
    w->lock_fd = -1;
    const char *env = getenv("BULWARK_TRAIL_DIR");
    w->base = env && env[0] ? dup_printf(env, "")
                            : dup_printf(bw_server_config(srv)->data_dir, "/trails");
    w->lock_path = dup_printf(w->base, "/.writer.lock");
    bw_trail_writer_cfg_init(&w->cfg, bw_server_config(srv)->data_dir, bw_server_secrets(srv));
    pthread_mutex_init(&w->mu, NULL);
    pthread_cond_init(&w->cv, NULL);
    if (pthread_create(&w->thread, NULL, loop, w) != 0)
        bw_oom();
    bw_server_on_stop(srv, writer_stop, w);
}
