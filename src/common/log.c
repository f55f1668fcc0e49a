/* SPDX-License-Identifier: Apache-2.0 */
/* JSON-lines logger: one line per call, written with a single write(2). */
#include "common/log.h"

#include <stdarg.h>
#include <stdio.h>
#include <string.h>
#include <sys/time.h>
#include <time.h>
#include <unistd.h>

static enum bw_log_level min_level = BW_LOG_INFO;
static int log_fd = 2;

static const char *const level_names[] = {"debug", "info", "warn", "error", "off"};

void bw_log_set_level(enum bw_log_level level)
{
    min_level = level;
}

int bw_log_level_parse(const char *s)
{
    for (int i = 0; i <= BW_LOG_OFF; i++)
        if (strcmp(s, level_names[i]) == 0)
            return i;
    return -1;
}

void bw_log_set_fd(int fd)
{
    log_fd = fd;
}

int bw_log_enabled(enum bw_log_level level)
{
    return level >= min_level && min_level != BW_LOG_OFF;
}

static size_t json_escape(char *out, size_t cap, const char *s)
{
    size_t n = 0;
    for (; *s && n + 7 < cap; s++) {
        unsigned char c = (unsigned char)*s;
        if (c == '"' || c == '\\') {
            out[n++] = '\\';
            out[n++] = (char)c;
        } else if (c < 0x20) {
            n += (size_t)snprintf(out + n, cap - n, "\\u%04x", c);
        } else {
            out[n++] = (char)c;
        }
    }
    out[n] = 0;
    return n;
}

void bw_log_req(enum bw_log_level level, const char *sub, const char *req, const char *fmt, ...)
{
    if (!bw_log_enabled(level))
        return;
    char msg[1024], esc[2200], line[2600];
    va_list ap;
    va_start(ap, fmt);
    vsnprintf(msg, sizeof msg, fmt, ap);
    va_end(ap);
    json_escape(esc, sizeof esc, msg);
    struct timeval tv;
    gettimeofday(&tv, NULL);
    struct tm tm;
    gmtime_r(&tv.tv_sec, &tm);
    char ts[40];
    strftime(ts, sizeof ts, "%Y-%m-%dT%H:%M:%S", &tm);
    int n = snprintf(line, sizeof line,
                     "{\"ts\":\"%s.%03dZ\",\"level\":\"%s\",\"sub\":\"%s\"%s%s%s,\"msg\":\"%s\"}\n",
                     ts, (int)(tv.tv_usec / 1000), level_names[level], sub,
                     req ? ",\"req\":\"" : "", req ? req : "", req ? "\"" : "", esc);
    if (n > (int)sizeof line - 1)
        n = (int)sizeof line - 1;
    ssize_t w = write(log_fd, line, (size_t)n);
    (void)w;
}
