/* SPDX-License-Identifier: Apache-2.0 */
/*
 * Authentication building blocks: the principal a request acts as, and the
 * secrets box that encrypts secret access keys at rest (AES-256-GCM under a
 * 32-byte master key kept in the data dir, mode 0600). SigV4 itself is in
 * auth/sigv4.h. Thread-safe: a secrets box is immutable after opening.
 */
#ifndef BW_AUTH_AUTH_H
#define BW_AUTH_AUTH_H

#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>

#include "auth/sigv4.h"
#include "common/arena.h"
#include "common/errors.h"
#include "policy/policy.h"

/* Who is calling. Strings live in the request's arena (or the auth cache). */
struct bw_principal {
    enum bw_policy_principal_type type;
    const char *account_id;
    const char *arn;          /* user, assumed-role session or root ARN */
    const char *principal_id; /* AIDA…, AROA…:session, or the account id for root */
    const char *access_key_id;
    const char *user_name; /* IAM user (also the user behind GetSessionToken) */
    const char *user_path;
    const char *role_name; /* assumed-role sessions */
    const char *role_path;
    const char *role_id;
    const char *session_name;
    const char *boundary_arn; /* the user's or role's permissions boundary */
    bool is_session;          /* temporary credentials (ASIA…) */
    bool mfa;
    const char *session_policy;      /* inline session policy document */
    const char *session_policy_arns; /* JSON array */
    const char *session_tags;        /* JSON object */
    const char *session_transitive;  /* JSON array: the session tags' transitive keys */
    const char *source_identity;
    int64_t session_created_ms;
    int64_t session_expires_ms;
};

struct bw_secrets;

/* Opens the master key at path, creating it (0600, 32 random bytes) when absent and
 * `create` is set. Refuses a key file readable by group or others. */
enum bw_code bw_secrets_open(const char *path, bool create, struct bw_secrets **out,
                             struct bw_err *err);
/* Wipes and frees. NULL is a no-op. */
void bw_secrets_free(struct bw_secrets *s);
/* Encrypts p[0..len) into a new blob in `a`: nonce(12) | ciphertext | tag(16). `aad` binds
 * the blob to its owner (e.g. the access key id) so blobs cannot be swapped. */
void bw_secrets_seal(const struct bw_secrets *s, const char *aad, const void *p, size_t len,
                     struct bw_arena *a, void **blob /* OUT: */, size_t *blob_len /* OUT: */);
/* Decrypts a blob sealed with the same aad into a NUL-terminated string in `a`.
 * Fails (InternalFailure) when the blob was altered or the key differs. */
enum bw_code bw_secrets_unseal(const struct bw_secrets *s, const char *aad, const void *blob,
                               size_t blob_len, struct bw_arena *a, char **out, size_t *out_len,
                               struct bw_err *err);

#endif
