/* SPDX-License-Identifier: Apache-2.0 */
/*
 * File I/O for the trail: atomic, durable, write-once files. A file is written
 * to "<name>.tmp", fsynced, made read-only (0444), renamed into place and its
 * directory fsynced, so a reader never sees a partial file and a crash leaves
 * either nothing or the whole file. Rewriting the same name (crash recovery)
 * replaces it atomically.
 */
#include "trail/internal.h"

#include <errno.h>
#include <fcntl.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>
#include <time.h>
#include <unistd.h>

static bool mkdirs(char *path)
{
    for (char *p = path + 1; *p; p++) {
        if (*p != '/')
            continue;
        *p = 0;
        bool ok = mkdir(path, 0755) == 0 || errno == EEXIST;
        *p = '/';
        if (!ok)
            return false;
    }
    return true;
}

static bool write_all(int fd, const unsigned char *p, size_t len)
{
    while (len) {
        ssize_t n = write(fd, p, len);
        if (n < 0 && errno == EINTR)
            continue;
        if (n <= 0)
            return false;
        p += n;
        len -= (size_t)n;
    }
    return true;
}

static void fsync_dir(const char *path)
{
    char dir[4096];
    snprintf(dir, sizeof dir, "%s", path);
    char *slash = strrchr(dir, '/');
    if (!slash)
        return;
    *slash = 0;
    int fd = open(dir, O_RDONLY | O_DIRECTORY);
    if (fd >= 0) {
        fsync(fd);
        close(fd);
    }
}

enum bw_code bw_trail__write_tmp(const char *dir, const char *key, const void *p, size_t len,
                                 struct bw_err *err)
{
    char path[4096], tmp[4100];
    if ((size_t)snprintf(path, sizeof path, "%s/%s", dir, key) >= sizeof path)
        return bw_fail(err, BW_E_INTERNAL, "trail file path too long");
    snprintf(tmp, sizeof tmp, "%s.tmp", path);
    if (!mkdirs(path))
        return bw_fail(err, BW_E_INTERNAL, "cannot create directories for %s: %s", key,
                       strerror(errno));
    unlink(tmp);
    int fd = open(tmp, O_WRONLY | O_CREAT | O_TRUNC | O_CLOEXEC, 0644);
    if (fd < 0)
        return bw_fail(err, BW_E_INTERNAL, "cannot create %s: %s", key, strerror(errno));
    bool ok = write_all(fd, p, len) && fsync(fd) == 0 && fchmod(fd, 0444) == 0;
    ok = close(fd) == 0 && ok;
    if (!ok) {
        int e = errno;
        unlink(tmp);
        return bw_fail(err, BW_E_INTERNAL, "cannot write %s: %s", key, strerror(e));
    }
    return BW_OK;
}

enum bw_code bw_trail__publish(const char *dir, const char *key, struct bw_err *err)
{
    char path[4096], tmp[4100];
    snprintf(path, sizeof path, "%s/%s", dir, key);
    snprintf(tmp, sizeof tmp, "%s.tmp", path);
    if (rename(tmp, path) != 0)
        return bw_fail(err, BW_E_INTERNAL, "cannot publish %s: %s", key, strerror(errno));
    fsync_dir(path);
    return BW_OK;
}

bool bw_trail__tmp_pending(const char *dir, const char *key)
{
    char path[4096], tmp[4100];
    snprintf(path, sizeof path, "%s/%s", dir, key);
    snprintf(tmp, sizeof tmp, "%s.tmp", path);
    return access(path, F_OK) != 0 && access(tmp, F_OK) == 0;
}

enum bw_code bw_trail__write_file(const char *dir, const char *key, const void *p, size_t len,
                                  struct bw_err *err)
{
    if (bw_trail__write_tmp(dir, key, p, len, err))
        return err->code;
    return bw_trail__publish(dir, key, err);
}

bool bw_trail__read_file(const char *path, unsigned char **out, size_t *len)
{
    int fd = open(path, O_RDONLY | O_CLOEXEC);
    if (fd < 0)
        return false;
    struct stat st;
    if (fstat(fd, &st) != 0 || !S_ISREG(st.st_mode)) {
        close(fd);
        errno = EINVAL;
        return false;
    }
    size_t cap = (size_t)st.st_size, n = 0;
    unsigned char *buf = malloc(cap + 1);
    if (!buf)
        bw_oom();
    while (n < cap) {
        ssize_t r = read(fd, buf + n, cap - n);
        if (r < 0 && errno == EINTR)
            continue;
        if (r <= 0)
            break;
        n += (size_t)r;
    }
    close(fd);
    buf[n] = 0;
    *out = buf;
    *len = n;
    return true;
}

void bw_trail__stamp(int64_t ms, bool seconds, char *out, size_t cap)
{
    time_t t = (time_t)(ms / 1000);
    struct tm tm;
    gmtime_r(&t, &tm);
    strftime(out, cap, seconds ? "%Y%m%dT%H%M%SZ" : "%Y%m%dT%H%MZ", &tm);
}
