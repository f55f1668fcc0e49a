/* SPDX-License-Identifier: Apache-2.0 */
/*
 * Helpers shared by the SigV4 files (parse, canonical request, signing). Not for
 * other subsystems: they include auth/sigv4.h only.
 */
#ifndef BW_AUTH_INTERNAL_H
#define BW_AUTH_INTERNAL_H

#include "auth/sigv4.h"

/* ASCII case-insensitive equality of a view and a C string. */
bool bw_auth__ieq(struct bw_str a, const char *b);
/* The first header named `name` (case-insensitive), or NULL. */
const struct bw_sigv4_header *bw_auth__header(const struct bw_sigv4_request *req, const char *name);
/* a without leading and trailing spaces and tabs. */
struct bw_str bw_auth__trim(struct bw_str a);
/* Percent-decodes s into the arena ("%zz" stays literal; '+' becomes ' ' when
 * plus_is_space, as in query strings). */
struct bw_str bw_auth__pct_decode(struct bw_str s, bool plus_is_space, struct bw_arena *a);
/* Appends s percent-encoded per RFC 3986 (unreserved kept; '/' kept when keep_slash). */
void bw_auth__pct_encode(struct bw_buf *b, struct bw_str s, bool keep_slash);
/* The decoded value of the first query parameter named `name` (exact), or .p == NULL. */
struct bw_str bw_auth__query_param(struct bw_str query, const char *name, struct bw_arena *a);
/* SHA-256 of p[0..len) into out (32 bytes). */
void bw_auth__sha256(const void *p, size_t len, uint8_t out[32]);
/* Lower-case hex SHA-256 of p[0..len) into out (65 bytes). */
void bw_auth__sha256_hex(const void *p, size_t len, char out[65]);
/* HMAC-SHA256(key, msg) into out (32 bytes). */
void bw_auth__hmac(const void *key, size_t key_len, const void *msg, size_t msg_len,
                   uint8_t out[32]);
/* Formats epoch seconds as "YYYYMMDDTHHMMSSZ" (17 bytes with NUL). */
void bw_auth__amz_date(int64_t t, char out[17]);
/* Parses "YYYYMMDDTHHMMSSZ" exactly; false when malformed. */
bool bw_auth__amz_date_parse(struct bw_str s, int64_t *out);
/* Parses an RFC 1123 date ("Sun, 06 Nov 1994 08:49:37 GMT"); false when malformed. */
bool bw_auth__http_date_parse(struct bw_str s, int64_t *out);
/* The signature (64 hex + NUL) of canonical request `creq` with key material. */
void bw_auth__signature(const uint8_t key[BW_SIGV4_KEY_LEN], const char *amz_date,
                        struct bw_str scope, struct bw_str creq, struct bw_arena *a, char out[65]);

#endif
