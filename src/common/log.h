/* SPDX-License-Identifier: Apache-2.0 */
/*
 * JSON-lines logging to stderr: {"ts":"…","level":"info","sub":"http","req":"…","msg":"…",k:v…}.
 * The only mutable globals outside src/cmd: the level and the output stream.
 * Thread-safe (one write(2) per line). Never pass a secret: callers redact.
 */
#ifndef BW_COMMON_LOG_H
#define BW_COMMON_LOG_H

enum bw_log_level { BW_LOG_DEBUG, BW_LOG_INFO, BW_LOG_WARN, BW_LOG_ERROR, BW_LOG_OFF };

/* Sets the lowest level written. */
void bw_log_set_level(enum bw_log_level level);
/* Parses "debug|info|warn|error|off"; returns -1 when unknown. */
int bw_log_level_parse(const char *s);
/* Sets the file descriptor lines go to (default 2). */
void bw_log_set_fd(int fd);
/* Writes one line. `req` may be NULL. The message is formatted with printf rules. */
void bw_log_req(enum bw_log_level level, const char *sub, const char *req, const char *fmt, ...)
    __attribute__((format(printf, 4, 5)));
#define bw_log(level, sub, ...) bw_log_req((level), (sub), NULL, __VA_ARGS__)
/* True when `level` would be written. */
int bw_log_enabled(enum bw_log_level level);

#endif
