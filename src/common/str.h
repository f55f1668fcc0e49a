/* SPDX-License-Identifier: Apache-2.0 */
/* String views: request strings point into the request, never copied needlessly. */
#ifndef BW_COMMON_STR_H
#define BW_COMMON_STR_H

#include <stdbool.h>
#include <stddef.h>
#include <string.h>

struct bw_str {
    const char *p;
    size_t len;
};

#define BW_STR(lit) ((struct bw_str){(lit), sizeof(lit) - 1})

static inline struct bw_str bw_str_c(const char *s)
{
    return (struct bw_str){s, s ? strlen(s) : 0};
}

static inline bool bw_str_eq(struct bw_str a, struct bw_str b)
{
    return a.len == b.len && (a.len == 0 || memcmp(a.p, b.p, a.len) == 0);
}

static inline bool bw_str_eqc(struct bw_str a, const char *c)
{
    return bw_str_eq(a, bw_str_c(c));
}

#endif
