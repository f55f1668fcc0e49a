/* SPDX-License-Identifier: Apache-2.0 */
/*
 * A bump allocator that owns everything one request (or one task) makes.
 * Allocation never fails (bw_oom() aborts) and nothing is freed piece by
 * piece: bw_arena_free() runs the deferred destructors, newest first, and
 * releases every block at once. Not thread-safe: one owner at a time.
 */
#ifndef BW_COMMON_ARENA_H
#define BW_COMMON_ARENA_H

#include <stdarg.h>
#include <stddef.h>

#include "common/str.h"

struct bw_arena;

typedef void (*bw_arena_fn)(void *p);

/* A new arena whose first block holds `hint` bytes (0: a default). Free with bw_arena_free. */
struct bw_arena *bw_arena_new(size_t hint);
/* Runs deferred destructors and releases all memory. NULL is a no-op. */
void bw_arena_free(struct bw_arena *a);
/* `len` bytes aligned to 16, uninitialised. Never NULL. */
void *bw_arena_alloc(struct bw_arena *a, size_t len);
/* `len` zeroed bytes. Never NULL. */
void *bw_arena_zalloc(struct bw_arena *a, size_t len);
/* A NUL-terminated copy of p[0..len). */
char *bw_arena_strndup(struct bw_arena *a, const char *p, size_t len);
/* A NUL-terminated copy of s (NULL gives NULL). */
char *bw_arena_strdup(struct bw_arena *a, const char *s);
/* A formatted string. */
char *bw_arena_printf(struct bw_arena *a, const char *fmt, ...)
    __attribute__((format(printf, 2, 3)));
char *bw_arena_vprintf(struct bw_arena *a, const char *fmt, va_list ap)
    __attribute__((format(printf, 2, 0)));
/* Calls fn(p) when the arena is freed (newest first). */
void bw_arena_defer(struct bw_arena *a, bw_arena_fn fn, void *p);
/* Bytes handed out so far (the high-water mark: nothing is ever returned). */
size_t bw_arena_used(const struct bw_arena *a);

#define BW_ARENA_NEW(a, type)     ((type *)bw_arena_zalloc((a), sizeof(type)))
#define BW_ARENA_NEWN(a, type, n) ((type *)bw_arena_zalloc((a), sizeof(type) * (n)))

/* A growable byte buffer in an arena (old storage is simply abandoned on growth). */
struct bw_buf {
    struct bw_arena *arena;
    char *p;
    size_t len;
    size_t cap;
};

void bw_buf_init(struct bw_buf *b, struct bw_arena *a, size_t cap);
void bw_buf_add(struct bw_buf *b, const void *p, size_t len);
void bw_buf_adds(struct bw_buf *b, const char *s);
void bw_buf_addc(struct bw_buf *b, char c);
void bw_buf_printf(struct bw_buf *b, const char *fmt, ...) __attribute__((format(printf, 2, 3)));
/* The contents as a NUL-terminated string (valid until the next add). */
const char *bw_buf_cstr(struct bw_buf *b);

#endif
