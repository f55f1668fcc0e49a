/* SPDX-License-Identifier: Apache-2.0 */
/*
 * IAM: the Query service (2010-05-08) and the domain functions other
 * subsystems use (bootstrap, STS, Organizations' CreateAccount): accounts,
 * users, roles, managed policies, attachments and access keys. Every function
 * works inside the caller's transaction on the caller's connection and knows no
 * HTTP. Names follow IAM's rules (case-insensitively unique per account).
 */
#ifndef BW_SVC_IAM_IAM_H
#define BW_SVC_IAM_IAM_H

#include <stdbool.h>

#include "proto/proto.h"

extern const struct bw_service bw_svc_iam;

/* ARN of an AWS managed policy, e.g. BW_IAM_AWS_POLICY("AdministratorAccess"). */
#define BW_IAM_AWS_POLICY(name) "arn:aws:iam::aws:policy/" name

/* Inserts the AWS managed policies that are missing (idempotent). */
enum bw_code bw_iam_seed_managed(struct bw_db *db, int64_t now_ms, struct bw_err *err);

/* Creates an account with a fresh random 12-digit id (out: 13 bytes). Fails with
 * EntityAlreadyExists when the email is taken. */
enum bw_code bw_iam_account_create(struct bw_db *db, const char *name, const char *email,
                                   int64_t now_ms, char out_id[13], struct bw_err *err);
/* True when the account exists. */
bool bw_iam_account_exists(struct bw_db *db, const char *account_id);

/* Creates an IAM user; *out_id (arena) gets its AIDA… id. */
enum bw_code bw_iam_user_create(struct bw_db *db, struct bw_arena *a, const char *account,
                                const char *name, const char *path, int64_t now_ms,
                                const char **out_id, struct bw_err *err);
/* Creates a role with a trust policy (validated by the caller). */
enum bw_code bw_iam_role_create(struct bw_db *db, struct bw_arena *a, const char *account,
                                const char *name, const char *path, const char *trust_policy,
                                const char *description, int max_session, int64_t now_ms,
                                const char **out_id, struct bw_err *err);
/* Attaches a managed policy to a user, group or role (kind "user"|"group"|"role").
 * NoSuchEntity when the policy does not exist; idempotent. */
enum bw_code bw_iam_attach(struct bw_db *db, const char *account, const char *kind,
                           const char *entity, const char *policy_arn, struct bw_err *err);
/* Creates an access key for a user (or the root user when user is NULL); the secret
 * is sealed at rest. *akid and *secret are in `a`; the secret is shown only once. */
enum bw_code bw_iam_access_key_create(struct bw_db *db, const struct bw_secrets *secrets,
                                      struct bw_arena *a, const char *account, const char *user,
                                      int64_t now_ms, const char **akid, const char **secret,
                                      struct bw_err *err);

/* Random IAM-style identifiers: prefix ("AIDA", "AROA", "ANPA", "AGPA", "AKIA", "ASIA")
 * followed by base32 characters, 20 characters in all for keys, 21 for ids. */
void bw_iam_new_id(const char *prefix, size_t total_len, char *out);

#endif
