/* SPDX-License-Identifier: Apache-2.0 */
/*
 * SigV4 signing key, key cache, verification and client-side signing (AWS General
 * Reference, "Calculate the signature for AWS Signature Version 4"):
 *
 *   kDate = HMAC("AWS4" + secret, YYYYMMDD); kRegion = HMAC(kDate, region)
 *   kService = HMAC(kRegion, service);       kSigning = HMAC(kService, "aws4_request")
 *   signature = hex(HMAC(kSigning, StringToSign))
 *
 * The cache is a direct-mapped table guarded by striped mutexes: bounded, never
 * allocating after creation, and keyed by the SHA-256 of the secret as well as the
 * scope, so a rotated secret misses. Signatures are compared with CRYPTO_memcmp; key
 * material on the stack is wiped with OPENSSL_cleanse.
 */
#include "auth/sigv4.h"

#include <openssl/crypto.h>
#include <pthread.h>
#include <stdatomic.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "auth/internal.h"
#include "common/util.h"

#define STRIPES 64

struct cache_entry {
    bool used;
    uint8_t akid_len, region_len, service_len;
    char akid[128];
    char date[8];
    char region[32];
    char service[32];
    uint8_t secret_hash[32];
    uint8_t key[BW_SIGV4_KEY_LEN];
};

struct bw_sigv4_cache {
    size_t mask;
    struct cache_entry *e;
    pthread_mutex_t lock[STRIPES];
    atomic_uint_fast64_t hits, misses;
};

struct bw_sigv4_cache *bw_sigv4_cache_new(size_t n)
{
    size_t cap = 1;
    while (cap < (n ? n : 1024))
        cap <<= 1;
    struct bw_sigv4_cache *c = calloc(1, sizeof *c);
    if (!c)
        bw_oom();
    c->e = calloc(cap, sizeof *c->e);
    if (!c->e)
        bw_oom();
    c->mask = cap - 1;
    for (int i = 0; i < STRIPES; i++)
        pthread_mutex_init(&c->lock[i], NULL);
    return c;
}

void bw_sigv4_cache_free(struct bw_sigv4_cache *c)
{
    if (!c)
        return;
    OPENSSL_cleanse(c->e, (c->mask + 1) * sizeof *c->e);
    for (int i = 0; i < STRIPES; i++)
        pthread_mutex_destroy(&c->lock[i]);
    free(c->e);
    free(c);
}

void bw_sigv4_cache_stats(struct bw_sigv4_cache *c, uint64_t *hits, uint64_t *misses)
{
    *hits = c ? atomic_load(&c->hits) : 0;
    *misses = c ? atomic_load(&c->misses) : 0;
}

static void derive(struct bw_str secret, struct bw_str date, struct bw_str region,
                   struct bw_str service, uint8_t out[BW_SIGV4_KEY_LEN])
{
    size_t klen = secret.len + 4;
    uint8_t *k = malloc(klen);
    if (!k)
        bw_oom();
    memcpy(k, "AWS4", 4);
    memcpy(k + 4, secret.p, secret.len);
    uint8_t a[32], b[32];
    bw_auth__hmac(k, klen, date.p, date.len, a);
    bw_auth__hmac(a, 32, region.p, region.len, b);
    bw_auth__hmac(b, 32, service.p, service.len, a);
    bw_auth__hmac(a, 32, "aws4_request", 12, out);
    OPENSSL_cleanse(k, klen);
    OPENSSL_cleanse(a, sizeof a);
    OPENSSL_cleanse(b, sizeof b);
    free(k);
}

static uint64_t fnv(uint64_t h, const void *p, size_t len)
{
    const uint8_t *b = p;
    for (size_t i = 0; i < len; i++)
        h = (h ^ b[i]) * 1099511628211ull;
    return h;
}

static bool entry_matches(const struct cache_entry *e, const struct cache_entry *k)
{
    return e->used && e->akid_len == k->akid_len && e->region_len == k->region_len &&
           e->service_len == k->service_len && memcmp(e->akid, k->akid, k->akid_len) == 0 &&
           memcmp(e->date, k->date, 8) == 0 && memcmp(e->region, k->region, k->region_len) == 0 &&
           memcmp(e->service, k->service, k->service_len) == 0 &&
           CRYPTO_memcmp(e->secret_hash, k->secret_hash, 32) == 0;
}

/* Fills the lookup key; false when a field does not fit (those keys are not cached). */
static bool make_key(struct cache_entry *k, struct bw_str akid, struct bw_str secret,
                     struct bw_str date, struct bw_str region, struct bw_str service)
{
    if (akid.len > sizeof k->akid || date.len != 8 || region.len > sizeof k->region ||
        service.len > sizeof k->service)
        return false;
    memset(k, 0, sizeof *k);
    k->used = true;
    k->akid_len = (uint8_t)akid.len;
    k->region_len = (uint8_t)region.len;
    k->service_len = (uint8_t)service.len;
    memcpy(k->akid, akid.p, akid.len);
    memcpy(k->date, date.p, 8);
    memcpy(k->region, region.p, region.len);
    memcpy(k->service, service.p, service.len);
    bw_auth__sha256(secret.p, secret.len, k->secret_hash);
    return true;
}

void bw_sigv4_signing_key(struct bw_sigv4_cache *c, struct bw_str akid, struct bw_str secret,
                          struct bw_str date, struct bw_str region, struct bw_str service,
                          uint8_t out[BW_SIGV4_KEY_LEN])
{
    struct cache_entry k;
    if (!c || !make_key(&k, akid, secret, date, region, service)) {
        derive(secret, date, region, service, out);
        return;
    }
    uint64_t h = fnv(1469598103934665603ull, k.akid, k.akid_len);
    h = fnv(fnv(fnv(h, k.date, 8), k.region, k.region_len), k.service, k.service_len);
    h = fnv(h, k.secret_hash, 32);
    size_t idx = (size_t)(h ^ (h >> 29)) & c->mask;
    pthread_mutex_t *lk = &c->lock[idx % STRIPES];
    pthread_mutex_lock(lk);
    bool hit = entry_matches(&c->e[idx], &k);
    if (hit)
        memcpy(out, c->e[idx].key, BW_SIGV4_KEY_LEN);
    pthread_mutex_unlock(lk);
    if (hit) {
        atomic_fetch_add(&c->hits, 1);
        OPENSSL_cleanse(&k, sizeof k);
        return;
    }
    atomic_fetch_add(&c->misses, 1);
    derive(secret, date, region, service, k.key);
    memcpy(out, k.key, BW_SIGV4_KEY_LEN);
    pthread_mutex_lock(lk);
    c->e[idx] = k;
    pthread_mutex_unlock(lk);
    OPENSSL_cleanse(&k, sizeof k);
}
