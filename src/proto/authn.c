/* SPDX-License-Identifier: Apache-2.0 */
/*
 * Authentication: the access key id of a SigV4-signed request → its secret and
 * principal (IAM user, account root, or an STS session), then signature
 * verification. Resolved keys are cached in memory (secret included, wiped on
 * eviction); every IAM/STS write bumps the server's credentials generation and
 * entries of an older generation are never used, so a deactivated key or a
 * deleted user is refused on the very next request.
 */
#include "proto/internal.h"

#include <openssl/crypto.h>
#include <openssl/sha.h>
#include <stdlib.h>
#include <string.h>

#include "common/log.h"

#define SLOTS 4096

struct entry {
    char akid[32];
    uint64_t gen;
    struct bw_arena *arena; /* owns principal strings and the secret */
    struct bw_principal p;
    char *secret;
    size_t secret_len;
    unsigned char token_hash[SHA256_DIGEST_LENGTH];
    bool has_token;
};

struct bw_authn_cache {
    pthread_mutex_t mu;
    struct entry slots[SLOTS];
};

static void entry_clear(struct entry *e)
{
    if (e->secret)
        OPENSSL_cleanse(e->secret, e->secret_len);
    bw_arena_free(e->arena);
    memset(e, 0, sizeof *e);
}

struct bw_authn_cache *bw_proto__authn_cache_new(void)
{
    struct bw_authn_cache *c = calloc(1, sizeof *c);
    if (!c)
        bw_oom();
    pthread_mutex_init(&c->mu, NULL);
    return c;
}

void bw_proto__authn_cache_free(struct bw_authn_cache *c)
{
    if (!c)
        return;
    for (size_t i = 0; i < SLOTS; i++)
        entry_clear(&c->slots[i]);
    pthread_mutex_destroy(&c->mu);
    free(c);
}

static size_t slot_of(struct bw_str akid)
{
    uint64_t h = 1469598103934665603ull;
    for (size_t i = 0; i < akid.len; i++)
        h = (h ^ (unsigned char)akid.p[i]) * 1099511628211ull;
    return h % SLOTS;
}

static const char *const key_sql =
    "SELECT k.account_id, k.user_name, k.secret_enc, k.status, u.path, u.id, u.boundary_arn"
    " FROM iam_access_keys k JOIN accounts a ON a.id = k.account_id AND a.status = 'ACTIVE'"
    " LEFT JOIN iam_users u ON u.account_id = k.account_id AND u.name = k.user_name"
    " WHERE k.id = ?";

static const char *const session_sql =
    "SELECT account_id, secret_enc, token_hash, kind, role_name, role_id, role_path, user_name,"
    " session_name, policy, policy_arns, tags, source_identity, mfa, created_at, expires_at,"
    " transitive_keys FROM sts_sessions s WHERE id = ? AND EXISTS (SELECT 1 FROM accounts a"
    " WHERE a.id = s.account_id AND a.status = 'ACTIVE')";

static enum bw_code invalid_token(struct bw_err *err)
{
    return bw_fail(err, BW_E_INVALID_CLIENT_TOKEN_ID, BW_SIGV4_MSG_BAD_TOKEN);
}

static enum bw_code load_key(struct bw_call *c, struct entry *e, struct bw_err *err)
{
    struct bw_arena *a = e->arena;
    if (!bw_proto__call_db(c, err))
        return err->code;
    sqlite3_stmt *st = bw_db_prep(c->db, key_sql, err, "s", e->akid);
    bool row;
    if (!st || bw_db_step(c->db, st, &row, err))
        return err->code;
    if (!row)
        return invalid_token(err);
    if (strcmp((const char *)sqlite3_column_text(st, 3), "Active") != 0)
        return invalid_token(err);
    struct bw_principal *p = &e->p;
    p->account_id = bw_db_col_str(a, st, 0);
    p->user_name = bw_db_col_str(a, st, 1);
    p->access_key_id = bw_arena_strdup(a, e->akid);
    if (p->user_name && sqlite3_column_type(st, 5) == SQLITE_NULL)
        return invalid_token(err); /* the key's user is gone */
    if (bw_secrets_unseal(c->srv->secrets, e->akid, sqlite3_column_blob(st, 2),
                          (size_t)sqlite3_column_bytes(st, 2), a, &e->secret, &e->secret_len, err))
        return err->code;
    if (!p->user_name) {
        p->type = BW_PRINCIPAL_ROOT;
        p->arn = bw_arena_printf(a, "arn:aws:iam::%s:root", p->account_id);
        p->principal_id = p->account_id;
    } else {
        p->type = BW_PRINCIPAL_USER;
        p->user_path = bw_db_col_str(a, st, 4);
        p->principal_id = bw_db_col_str(a, st, 5);
        p->boundary_arn = bw_db_col_str(a, st, 6);
        p->arn = bw_arena_printf(a, "arn:aws:iam::%s:user%s%s", p->account_id, p->user_path,
                                 p->user_name);
    }
    return BW_OK;
}

static void fill_session(struct bw_arena *a, sqlite3_stmt *st, struct bw_principal *p)
{
    p->is_session = true;
    p->account_id = bw_db_col_str(a, st, 0);
    const char *kind = (const char *)sqlite3_column_text(st, 3);
    p->role_name = bw_db_col_str(a, st, 4);
    p->role_id = bw_db_col_str(a, st, 5);
    p->role_path = bw_db_col_str(a, st, 6);
    p->user_name = bw_db_col_str(a, st, 7);
    p->session_name = bw_db_col_str(a, st, 8);
    p->session_policy = bw_db_col_str(a, st, 9);
    p->session_policy_arns = bw_db_col_str(a, st, 10);
    p->session_tags = bw_db_col_str(a, st, 11);
    p->source_identity = bw_db_col_str(a, st, 12);
    p->mfa = sqlite3_column_int(st, 13) != 0;
    p->session_created_ms = sqlite3_column_int64(st, 14);
    p->session_expires_ms = sqlite3_column_int64(st, 15);
    p->session_transitive = bw_db_col_str(a, st, 16);
    if (strcmp(kind, "role") == 0) {
        p->type = BW_PRINCIPAL_ASSUMED_ROLE;
        p->arn = bw_arena_printf(a, "arn:aws:sts::%s:assumed-role/%s/%s", p->account_id,
                                 p->role_name, p->session_name);
        p->principal_id = bw_arena_printf(a, "%s:%s", p->role_id, p->session_name);
    } else if (strcmp(kind, "federated") == 0) { /* GetFederationToken */
        p->type = BW_PRINCIPAL_FEDERATED;
        p->user_path = p->role_path; /* the issuing user's path and id (NULL: root) */
        p->arn =
            bw_arena_printf(a, "arn:aws:sts::%s:federated-user/%s", p->account_id, p->session_name);
        p->principal_id = bw_arena_printf(a, "%s:%s", p->account_id, p->session_name);
    } else if (p->user_name) { /* GetSessionToken by an IAM user: acts as the user */
        p->type = BW_PRINCIPAL_USER;
        p->principal_id = p->role_id; /* the user's id is kept in role_id for user sessions */
        p->user_path = p->role_path;
        p->arn = bw_arena_printf(a, "arn:aws:iam::%s:user%s%s", p->account_id,
                                 p->user_path ? p->user_path : "/", p->user_name);
    } else { /* GetSessionToken by the root user */
        p->type = BW_PRINCIPAL_ROOT;
        p->principal_id = p->account_id;
        p->arn = bw_arena_printf(a, "arn:aws:iam::%s:root", p->account_id);
    }
}

static enum bw_code load_session(struct bw_call *c, struct entry *e, struct bw_err *err)
{
    struct bw_arena *a = e->arena;
    if (!bw_proto__call_db(c, err))
        return err->code;
    sqlite3_stmt *st = bw_db_prep(c->db, session_sql, err, "s", e->akid);
    bool row;
    if (!st || bw_db_step(c->db, st, &row, err))
        return err->code;
    if (!row)
        return invalid_token(err);
    fill_session(a, st, &e->p);
    e->p.access_key_id = bw_arena_strdup(a, e->akid);
    if (sqlite3_column_bytes(st, 2) != SHA256_DIGEST_LENGTH)
        return invalid_token(err);
    memcpy(e->token_hash, sqlite3_column_blob(st, 2), SHA256_DIGEST_LENGTH);
    e->has_token = true;
    return bw_secrets_unseal(c->srv->secrets, e->akid, sqlite3_column_blob(st, 1),
                             (size_t)sqlite3_column_bytes(st, 1), a, &e->secret, &e->secret_len,
                             err);
}

static const char *dup(struct bw_arena *a, const char *s)
{
    return s ? bw_arena_strdup(a, s) : NULL;
}

static void copy_principal(struct bw_arena *a, const struct bw_principal *s, struct bw_principal *d)
{
    *d = *s;
    d->account_id = dup(a, s->account_id);
    d->arn = dup(a, s->arn);
    d->principal_id = dup(a, s->principal_id);
    d->access_key_id = dup(a, s->access_key_id);
    d->user_name = dup(a, s->user_name);
    d->user_path = dup(a, s->user_path);
    d->role_name = dup(a, s->role_name);
    d->role_path = dup(a, s->role_path);
    d->role_id = dup(a, s->role_id);
    d->session_name = dup(a, s->session_name);
    d->boundary_arn = dup(a, s->boundary_arn);
    d->session_policy = dup(a, s->session_policy);
    d->session_policy_arns = dup(a, s->session_policy_arns);
    d->session_tags = dup(a, s->session_tags);
    d->session_transitive = dup(a, s->session_transitive);
    d->source_identity = dup(a, s->source_identity);
}

/* Resolves akid into `e` (from the cache or the store). Caller holds no lock. */
static enum bw_code resolve(struct bw_call *c, struct bw_str akid, struct entry *out,
                            struct bw_err *err)
{
    struct bw_authn_cache *cache = c->srv->authn;
    uint64_t gen = atomic_load(&c->srv->creds_gen);
    size_t slot = slot_of(akid);
    pthread_mutex_lock(&cache->mu);
    struct entry *e = &cache->slots[slot];
    if (e->arena && e->gen == gen && strlen(e->akid) == akid.len &&
        memcmp(e->akid, akid.p, akid.len) == 0) {
        *out = *e;
        copy_principal(c->arena, &e->p, &out->p);
        out->secret = bw_arena_strndup(c->arena, e->secret, e->secret_len);
        out->arena = NULL;
        pthread_mutex_unlock(&cache->mu);
        return BW_OK;
    }
    pthread_mutex_unlock(&cache->mu);

    struct entry fresh = {.gen = gen, .arena = bw_arena_new(1024)};
    memcpy(fresh.akid, akid.p, akid.len);
    bool session = akid.len > 4 && memcmp(akid.p, "ASIA", 4) == 0;
    enum bw_code rc = session ? load_session(c, &fresh, err) : load_key(c, &fresh, err);
    if (rc) {
        entry_clear(&fresh);
        return rc;
    }
    *out = fresh;
    copy_principal(c->arena, &fresh.p, &out->p);
    out->secret = bw_arena_strndup(c->arena, fresh.secret, fresh.secret_len);
    out->arena = NULL;
    pthread_mutex_lock(&cache->mu);
    entry_clear(&cache->slots[slot]);
    cache->slots[slot] = fresh;
    pthread_mutex_unlock(&cache->mu);
    return BW_OK;
}

static enum bw_code check_token(const struct entry *e, const struct bw_sigv4_auth *auth,
                                int64_t now_ms, struct bw_err *err)
{
    if (!e->has_token)
        return auth->security_token.len ? invalid_token(err) : BW_OK;
    if (!auth->security_token.len)
        return invalid_token(err);
    unsigned char h[SHA256_DIGEST_LENGTH];
    SHA256((const unsigned char *)auth->security_token.p, auth->security_token.len, h);
    if (CRYPTO_memcmp(h, e->token_hash, sizeof h) != 0)
        return invalid_token(err);
    if (now_ms >= e->p.session_expires_ms)
        return bw_fail(err, BW_E_EXPIRED_TOKEN,
                       "The security token included in the request is expired");
    return BW_OK;
}

enum bw_code bw_proto__authenticate(struct bw_call *c, const struct bw_sigv4_request *sreq,
                                    const struct bw_sigv4_auth *auth, struct bw_err *err)
{
    if (auth->access_key_id.len < 16 || auth->access_key_id.len > 31)
        return invalid_token(err);
    struct entry e;
    if (resolve(c, auth->access_key_id, &e, err))
        return err->code;
    if (check_token(&e, auth, c->now_ms, err))
        return err->code;
    struct bw_str secret = {e.secret, strlen(e.secret)};
    enum bw_code rc =
        bw_sigv4_verify(sreq, auth, secret, c->now_ms / 1000, c->srv->sigv4_cache, c->arena, err);
    OPENSSL_cleanse(e.secret, secret.len);
    if (rc)
        return rc;
    c->principal = BW_ARENA_NEW(c->arena, struct bw_principal);
    *c->principal = e.p;
    return BW_OK;
}

void bw_server_creds_changed(struct bw_server *srv)
{
    atomic_fetch_add(&srv->creds_gen, 1);
}
