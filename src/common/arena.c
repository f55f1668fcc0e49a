/* SPDX-License-Identifier: Apache-2.0 */
/*
 * Arena: a list of blocks, each at least twice the previous one up to 1 MiB;
 * an allocation larger than a block gets a block of its own. The defer list
 * lives in the arena itself.
 */
#include "common/arena.h"

#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "common/errors.h"

struct block {
    struct block *next;
    size_t cap;
    size_t used;
    _Alignas(16) unsigned char data[];
};

struct deferred {
    struct deferred *next;
    bw_arena_fn fn;
    void *p;
};

struct bw_arena {
    struct block *head;
    struct deferred *defers;
    size_t total;
    size_t next_cap;
};

static struct block *block_new(size_t cap)
{
    struct block *b = malloc(sizeof *b + cap);
    if (!b)
        bw_oom();
    b->next = NULL;
    b->cap = cap;
    b->used = 0;
    return b;
}

struct bw_arena *bw_arena_new(size_t hint)
{
    struct bw_arena *a = calloc(1, sizeof *a);
    if (!a)
        bw_oom();
    a->next_cap = hint ? hint : 4096;
    return a;
}

void bw_arena_free(struct bw_arena *a)
{
    if (!a)
        return;
    for (struct deferred *d = a->defers; d; d = d->next)
        d->fn(d->p);
    struct block *b = a->head;
    while (b) {
        struct block *n = b->next;
        free(b);
        b = n;
    }
    free(a);
}

void *bw_arena_alloc(struct bw_arena *a, size_t len)
{
    size_t need = (len + 15) & ~(size_t)15;
    if (need < len)
        bw_oom();
    struct block *b = a->head;
    if (!b || b->cap - b->used < need) {
        size_t cap = a->next_cap;
        if (cap < need)
            cap = need;
        b = block_new(cap);
        b->next = a->head;
        a->head = b;
        if (a->next_cap < (1u << 20))
            a->next_cap *= 2;
    }
    void *p = b->data + b->used;
    b->used += need;
    a->total += need;
    return p;
}

void *bw_arena_zalloc(struct bw_arena *a, size_t len)
{
    void *p = bw_arena_alloc(a, len);
    memset(p, 0, len);
    return p;
}

char *bw_arena_strndup(struct bw_arena *a, const char *p, size_t len)
{
    char *s = bw_arena_alloc(a, len + 1);
    if (len)
        memcpy(s, p, len);
    s[len] = 0;
    return s;
}

char *bw_arena_strdup(struct bw_arena *a, const char *s)
{
    return s ? bw_arena_strndup(a, s, strlen(s)) : NULL;
}

char *bw_arena_vprintf(struct bw_arena *a, const char *fmt, va_list ap)
{
    va_list ap2;
    va_copy(ap2, ap);
    int n = vsnprintf(NULL, 0, fmt, ap2);
    va_end(ap2);
    if (n < 0)
        n = 0;
    char *s = bw_arena_alloc(a, (size_t)n + 1);
    vsnprintf(s, (size_t)n + 1, fmt, ap);
    return s;
}

char *bw_arena_printf(struct bw_arena *a, const char *fmt, ...)
{
    va_list ap;
    va_start(ap, fmt);
    char *s = bw_arena_vprintf(a, fmt, ap);
    va_end(ap);
    return s;
}

void bw_arena_defer(struct bw_arena *a, bw_arena_fn fn, void *p)
{
    struct deferred *d = bw_arena_alloc(a, sizeof *d);
    d->fn = fn;
    d->p = p;
    d->next = a->defers;
    a->defers = d;
}

size_t bw_arena_used(const struct bw_arena *a)
{
    return a->total;
}

void bw_buf_init(struct bw_buf *b, struct bw_arena *a, size_t cap)
{
    b->arena = a;
    b->cap = cap ? cap : 256;
    b->p = bw_arena_alloc(a, b->cap);
    b->len = 0;
    b->p[0] = 0;
}

static void buf_reserve(struct bw_buf *b, size_t more)
{
    if (b->len + more + 1 <= b->cap)
        return;
    size_t cap = b->cap * 2;
    while (cap < b->len + more + 1)
        cap *= 2;
    char *p = bw_arena_alloc(b->arena, cap);
    memcpy(p, b->p, b->len);
    b->p = p;
    b->cap = cap;
}

void bw_buf_add(struct bw_buf *b, const void *p, size_t len)
{
    buf_reserve(b, len);
    memcpy(b->p + b->len, p, len);
    b->len += len;
    b->p[b->len] = 0;
}

void bw_buf_adds(struct bw_buf *b, const char *s)
{
    bw_buf_add(b, s, strlen(s));
}

void bw_buf_addc(struct bw_buf *b, char c)
{
    buf_reserve(b, 1);
    b->p[b->len++] = c;
    b->p[b->len] = 0;
}

void bw_buf_printf(struct bw_buf *b, const char *fmt, ...)
{
    va_list ap;
    va_start(ap, fmt);
    char tmp[256];
    va_list ap2;
    va_copy(ap2, ap);
    int n = vsnprintf(tmp, sizeof tmp, fmt, ap2);
    va_end(ap2);
    if (n < 0) {
        va_end(ap);
        return;
    }
    if ((size_t)n < sizeof tmp) {
        bw_buf_add(b, tmp, (size_t)n);
    } else {
        buf_reserve(b, (size_t)n);
        vsnprintf(b->p + b->len, (size_t)n + 1, fmt, ap);
        b->len += (size_t)n;
    }
    va_end(ap);
}

const char *bw_buf_cstr(struct bw_buf *b)
{
    return b->p;
}
