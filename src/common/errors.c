/* SPDX-License-Identifier: Apache-2.0 */
/* The tables generated from errors.def, and bw_fail(). */
#include "common/errors.h"

#include <stdio.h>
#include <stdlib.h>
#include <string.h>

static const char *const names[] = {
#define BW_ERR(id, name, status) [BW_E_##id] = name,
#include "common/errors.def"
#undef BW_ERR
};

static const short statuses[] = {
#define BW_ERR(id, name, status) [BW_E_##id] = status,
#include "common/errors.def"
#undef BW_ERR
};

const char *bw_code_aws_name(enum bw_code code)
{
    if ((unsigned)code >= BW_E__COUNT)
        return "InternalFailure";
    return names[code];
}

int bw_code_http_status(enum bw_code code)
{
    if ((unsigned)code >= BW_E__COUNT)
        return 500;
    return statuses[code];
}

const char *bw_err_name(const struct bw_err *err)
{
    return err->name ? err->name : bw_code_aws_name(err->code);
}

enum bw_code bw_fail_at(struct bw_err *err, const char *file, int line, enum bw_code code,
                        const char *fmt, ...)
{
    if (!err)
        return code;
    err->code = code;
    err->name = NULL;
    err->reason = NULL;
    err->file = file;
    err->line = line;
    va_list ap;
    va_start(ap, fmt);
    vsnprintf(err->msg, sizeof err->msg, fmt, ap);
    va_end(ap);
    return code;
}

void bw_err_clear(struct bw_err *err)
{
    memset(err, 0, sizeof *err);
}

_Noreturn void bw_oom(void)
{
    fputs("bulwark: out of memory\n", stderr);
    abort();
}
