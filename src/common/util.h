/* SPDX-License-Identifier: Apache-2.0 */
/* Small helpers shared by every subsystem: time, randomness, hex, ids. Thread-safe. */
#ifndef BW_COMMON_UTIL_H
#define BW_COMMON_UTIL_H

#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>
#include <time.h>

/* Wall-clock time in milliseconds since the epoch. */
int64_t bw_now_ms(void);
/* Monotonic time in nanoseconds. */
uint64_t bw_mono_ns(void);
/* Formats epoch seconds as "YYYY-MM-DDTHH:MM:SSZ" into out (at least 21 bytes). */
void bw_time_iso8601(int64_t epoch_s, char *out, size_t cap);
/* Parses ISO 8601 ("2016-11-28T12:00:00Z", with optional fraction/offset) or
 * "YYYYMMDDTHHMMSSZ" into epoch seconds; false when malformed. */
bool bw_time_parse(const char *s, size_t len, int64_t *out);
/* Cryptographically random bytes (OpenSSL RAND_bytes); aborts on failure. */
void bw_random_bytes(void *out, size_t len);
/* n random characters from alphabet, NUL-terminated into out (cap >= n+1). */
void bw_random_chars(char *out, size_t n, const char *alphabet);
/* Lower-case hex of p[0..len) into out (cap >= 2*len+1). */
void bw_hex_encode(const void *p, size_t len, char *out);
/* A random RFC 4122 version 4 UUID into out (37 bytes). */
void bw_uuid4(char *out);

#define BW_ALPHA_LOWER_DIGITS "abcdefghijklmnopqrstuvwxyz0123456789"
#define BW_ALPHA_UPPER_DIGITS "ABCDEFGHIJKLMNOPQRSTUVWXYZ0123456789"
#define BW_ALPHA_DIGITS       "0123456789"

#endif
