/* SPDX-License-Identifier: Apache-2.0 */
/*
 * Error codes and the error record every fallible function fills.
 * enum bw_code is generated from errors.def; each code knows its AWS error
 * name and HTTP status. A struct bw_err carries the code, a client-safe
 * message (never a secret), an optional Reason (Organizations' ConstraintViolation
 * and friends) and the file:line where it was raised.
 */
#ifndef BW_COMMON_ERRORS_H
#define BW_COMMON_ERRORS_H

#include <stdarg.h>
#include <stddef.h>

enum bw_code {
#define BW_ERR(id, name, status) BW_E_##id,
#include "common/errors.def"
#undef BW_ERR
    BW_E__COUNT
};
#define BW_OK BW_E_OK

struct bw_err {
    enum bw_code code;
    const char *name;   /* overrides bw_code_aws_name() when set (static storage) */
    const char *reason; /* optional Reason field (static storage) */
    const char *file;
    int line;
    char msg[512];
};

/* The AWS error name of a code, e.g. "NoSuchEntity". */
const char *bw_code_aws_name(enum bw_code code);
/* The HTTP status of a code. */
int bw_code_http_status(enum bw_code code);
/* The AWS name of an error: err->name when set, else the code's name. */
const char *bw_err_name(const struct bw_err *err);

/* Records code and message in err (when not NULL) and returns code. */
enum bw_code bw_fail_at(struct bw_err *err, const char *file, int line, enum bw_code code,
                        const char *fmt, ...) __attribute__((format(printf, 5, 6)));
#define bw_fail(err, code, ...) bw_fail_at((err), __FILE__, __LINE__, (code), __VA_ARGS__)

/* Clears err to BW_OK. */
void bw_err_clear(struct bw_err *err);

/* Out of memory: logs and aborts. Never returns. */
_Noreturn void bw_oom(void);

#endif
