/* SPDX-License-Identifier: Apache-2.0 */
/*
 * Shared inside src/svc/iam: the entity kinds (user, group, role), lookups,
 * output writers, validation in IAM's words, paging, policy checks and the
 * resource-ARN functions of the dispatch table. Every handler runs inside the
 * dispatcher's transaction on c->db and writes Query XML into c->xml.
 */
#ifndef BW_SVC_IAM_INTERNAL_H
#define BW_SVC_IAM_INTERNAL_H

#include "svc/iam/iam.h"

#include <stdio.h>
#include <string.h>

#include "policy/policy.h"

/* The principal entities that policies attach to. */
enum bw_iam_kind { BW_IAM_USER = 0, BW_IAM_GROUP, BW_IAM_ROLE };

/* A user, group or role row. Role-only fields are NULL/0 for the others. */
struct bw_iam__ent {
    enum bw_iam_kind kind;
    const char *name;
    const char *path;
    const char *id;
    const char *arn;
    const char *boundary; /* permissions boundary ARN or NULL */
    int64_t created;
    const char *trust;       /* role: trust policy */
    const char *description; /* role */
    int max_session;         /* role */
};

/* "user" | "group" | "role": the iam_attachments/iam_inline_policies/iam_tags kind. */
const char *bw_iam__kind_name(enum bw_iam_kind k);
/* "User" | "Group" | "Role" (parameter prefix: UserName, GroupName, RoleName). */
const char *bw_iam__kind_title(enum bw_iam_kind k);
/* Looks an entity up by name: NoSuchEntity "The user with name X cannot be found." */
enum bw_code bw_iam__ent_get(struct bw_call *c, enum bw_iam_kind k, const char *name,
                             struct bw_iam__ent *out, struct bw_err *err);
/* As bw_iam__ent_get, reading and validating the "<Title>Name" parameter first. */
enum bw_code bw_iam__ent_param(struct bw_call *c, enum bw_iam_kind k, struct bw_iam__ent *out,
                               struct bw_err *err);
/* arn:aws:iam::ACCOUNT:<kind><path><name> */
const char *bw_iam__arn(struct bw_call *c, const char *kind, const char *path, const char *name);
/* Writes <tag> with the entity's fields (User, Group or Role shape); with_extra adds
 * PermissionsBoundary and Tags (Get* operations). */
enum bw_code bw_iam__ent_write(struct bw_call *c, const struct bw_iam__ent *e, const char *tag,
                               bool with_extra, struct bw_err *err);
/* Fills an entity from a row: name, path, id, created_at, boundary[, trust, desc, max]. */
void bw_iam__ent_from_row(struct bw_call *c, enum bw_iam_kind k, sqlite3_stmt *st,
                          struct bw_iam__ent *out);
/* Sets the audit event's responseElements and resources for a created entity. */
void bw_iam__trail_entity(struct bw_call *c, const struct bw_iam__ent *e);
/* Writes <PermissionsBoundary> when arn is set. */
void bw_iam__boundary_write(struct bw_call *c, const char *arn);

/* ---- validation (validate.c) ---- */
enum bw_code bw_iam__invalid(struct bw_err *err, const char *field, const char *v,
                             const char *constraint);
enum bw_code bw_iam__check_name(const char *field, const char *v, size_t max, struct bw_err *err);
enum bw_code bw_iam__check_path(const char *field, const char *v, struct bw_err *err);
enum bw_code bw_iam__check_prefix(const char *v, struct bw_err *err);
enum bw_code bw_iam__check_len(const char *field, const char *v, size_t min, size_t max,
                               struct bw_err *err);
enum bw_code bw_iam__check_enum(const char *field, const char *v, const char *const *allowed,
                                const char *set_text, struct bw_err *err);
enum bw_code bw_iam__check_arn(const char *v, struct bw_err *err);
enum bw_code bw_iam__required(struct bw_call *c, const char *param, const char **out,
                              struct bw_err *err);
/* Optional boolean parameter ("true"/"false"). */
enum bw_code bw_iam__bool_param(struct bw_call *c, const char *param, bool *out,
                                struct bw_err *err);
/* Optional integer parameter between lo and hi (IAM wording for "field"); *out and
 * *present are left alone / set false when absent. */
enum bw_code bw_iam__int_param(struct bw_call *c, const char *param, const char *field, int lo,
                               int hi, int *out, bool *present, struct bw_err *err);

/* ---- paging ---- */
struct bw_iam__page {
    int64_t off, max, n;
    bool truncated;
};
/* Marker/MaxItems: off from Marker, max from MaxItems (1..1000, default 100). */
enum bw_code bw_iam__paging(struct bw_call *c, struct bw_iam__page *pg, struct bw_err *err);
/* Steps st: true while a row belongs to the page (query with LIMIT max+1 OFFSET off). */
bool bw_iam__page_step(struct bw_call *c, sqlite3_stmt *st, struct bw_iam__page *pg,
                       struct bw_err *err);
/* Writes IsTruncated and Marker. */
void bw_iam__paging_end(struct bw_call *c, const struct bw_iam__page *pg);

/* ---- documents and policies ---- */
/* The percent-encoding IAM applies to policy documents in responses (RFC 3986). */
const char *bw_iam__urlenc(struct bw_arena *a, const char *s);
/* Characters without whitespace (as the IAM quotas count them). */
size_t bw_iam__policy_chars(const char *doc);
/* Validates a document parameter of `field` (policyDocumentType) and compiles it as
 * kind with limit max_chars; too large => LimitExceeded limit_msg. */
enum bw_code bw_iam__doc_check(const char *field, const char *doc, enum bw_policy_kind kind,
                               size_t max_chars, const char *limit_msg, struct bw_err *err);
/* Checks a managed policy ARN for attachment or boundary use: exists, visible to the
 * caller's account. NoSuchEntity "Policy X does not exist or is not attachable." (or
 * "Scope ARN: X …" for a boundary). */
enum bw_code bw_iam__policy_visible(struct bw_call *c, const char *arn, bool boundary,
                                    struct bw_err *err);
/* True when arn names an AWS managed policy (arn:aws:iam::aws:policy/…). */
bool bw_iam__is_aws_policy(const char *arn);
/* AccessDenied for a write to an AWS managed policy. */
enum bw_code bw_iam__aws_policy_denied(struct bw_call *c, const char *arn, struct bw_err *err);

/* ---- tags (tags.c) ---- */
/* Reads and validates "Tags.member.N" of a Create*; *n tags into keys/values. */
enum bw_code bw_iam__tags_input(struct bw_call *c, const char ***keys, const char ***values, int *n,
                                struct bw_err *err);
/* Stores tags for (kind, entity), merging; LimitExceeded over 50. */
enum bw_code bw_iam__tags_put(struct bw_call *c, const char *kind, const char *entity,
                              const char **keys, const char **values, int n, struct bw_err *err);
/* Writes <Tags> (nothing when none). */
enum bw_code bw_iam__tags_write(struct bw_call *c, const char *kind, const char *entity,
                                struct bw_err *err);
/* Deletes every tag of an entity (on delete or rename). */
enum bw_code bw_iam__tags_drop(struct bw_call *c, const char *kind, const char *entity,
                               struct bw_err *err);

/* ---- resource ARNs (resources.c) ---- */
const char *bw_iam__res_user(struct bw_call *c);
const char *bw_iam__res_user_or_self(struct bw_call *c);
const char *bw_iam__res_group(struct bw_call *c);
const char *bw_iam__res_role(struct bw_call *c);
const char *bw_iam__res_policy(struct bw_call *c);
const char *bw_iam__res_new_policy(struct bw_call *c);
const char *bw_iam__res_users(struct bw_call *c);
const char *bw_iam__res_groups(struct bw_call *c);
const char *bw_iam__res_roles(struct bw_call *c);
const char *bw_iam__res_policies(struct bw_call *c);
const char *bw_iam__res_key_user(struct bw_call *c);
const char *bw_iam__res_source(struct bw_call *c);
const char *bw_iam__res_any(struct bw_call *c);

/* ---- handlers ---- */
#define BW_IAM_HANDLER(fn) enum bw_code fn(struct bw_call *c, struct bw_err *err)
/* users.c */
BW_IAM_HANDLER(bw_iam__create_user);
BW_IAM_HANDLER(bw_iam__get_user);
BW_IAM_HANDLER(bw_iam__update_user);
BW_IAM_HANDLER(bw_iam__delete_user);
BW_IAM_HANDLER(bw_iam__list_users);
/* groups.c */
BW_IAM_HANDLER(bw_iam__create_group);
BW_IAM_HANDLER(bw_iam__get_group);
BW_IAM_HANDLER(bw_iam__update_group);
BW_IAM_HANDLER(bw_iam__delete_group);
BW_IAM_HANDLER(bw_iam__list_groups);
BW_IAM_HANDLER(bw_iam__add_user_to_group);
BW_IAM_HANDLER(bw_iam__remove_user_from_group);
BW_IAM_HANDLER(bw_iam__list_groups_for_user);
/* roles.c */
BW_IAM_HANDLER(bw_iam__create_role);
BW_IAM_HANDLER(bw_iam__get_role);
BW_IAM_HANDLER(bw_iam__update_role);
BW_IAM_HANDLER(bw_iam__update_role_description);
BW_IAM_HANDLER(bw_iam__update_assume_role_policy);
BW_IAM_HANDLER(bw_iam__delete_role);
BW_IAM_HANDLER(bw_iam__list_roles);
/* policies.c */
BW_IAM_HANDLER(bw_iam__create_policy);
BW_IAM_HANDLER(bw_iam__get_policy);
BW_IAM_HANDLER(bw_iam__delete_policy);
BW_IAM_HANDLER(bw_iam__list_policies);
BW_IAM_HANDLER(bw_iam__create_policy_version);
BW_IAM_HANDLER(bw_iam__get_policy_version);
BW_IAM_HANDLER(bw_iam__list_policy_versions);
BW_IAM_HANDLER(bw_iam__delete_policy_version);
BW_IAM_HANDLER(bw_iam__set_default_policy_version);
/* A managed policy row as seen from the caller's account (policies.c). */
struct bw_iam__pol {
    const char *arn, *account, *name, *path, *id, *description, *default_version;
    int64_t created, updated;
    int attachments, boundaries; /* in the caller's account */
};
/* The columns bw_iam__pol_from_row reads; ?1 must be the caller's account. */
#define BW_IAM_POLICY_SELECT                                                                       \
    "SELECT p.arn, p.account_id, p.name, p.path, p.id, p.description, p.default_version,"          \
    " p.created_at, p.updated_at, (SELECT count(*) FROM iam_attachments a"                         \
    " WHERE a.policy_arn = p.arn AND a.account_id = ?1) AS ac,"                                    \
    " (SELECT count(*) FROM iam_users u WHERE u.account_id = ?1 AND u.boundary_arn = p.arn)"       \
    " + (SELECT count(*) FROM iam_roles r WHERE r.account_id = ?1"                                 \
    " AND r.boundary_arn = p.arn) AS bc FROM iam_policies p"
void bw_iam__pol_from_row(struct bw_call *c, sqlite3_stmt *st, struct bw_iam__pol *out);
/* Writes the Policy shape's fields (without opening or closing an element). */
void bw_iam__pol_fields(struct bw_call *c, const struct bw_iam__pol *p);
/* Reads PolicyArn and finds the policy visible to the caller: NoSuchEntity
 * "Policy X was not found." */
enum bw_code bw_iam__pol_param(struct bw_call *c, struct bw_iam__pol *out, struct bw_err *err);
/* attach.c */
BW_IAM_HANDLER(bw_iam__attach_user_policy);
BW_IAM_HANDLER(bw_iam__attach_group_policy);
BW_IAM_HANDLER(bw_iam__attach_role_policy);
BW_IAM_HANDLER(bw_iam__detach_user_policy);
BW_IAM_HANDLER(bw_iam__detach_group_policy);
BW_IAM_HANDLER(bw_iam__detach_role_policy);
BW_IAM_HANDLER(bw_iam__list_attached_user_policies);
BW_IAM_HANDLER(bw_iam__list_attached_group_policies);
BW_IAM_HANDLER(bw_iam__list_attached_role_policies);
BW_IAM_HANDLER(bw_iam__list_entities_for_policy);
/* inline.c */
BW_IAM_HANDLER(bw_iam__put_user_policy);
BW_IAM_HANDLER(bw_iam__put_group_policy);
BW_IAM_HANDLER(bw_iam__put_role_policy);
BW_IAM_HANDLER(bw_iam__get_user_policy);
BW_IAM_HANDLER(bw_iam__get_group_policy);
BW_IAM_HANDLER(bw_iam__get_role_policy);
BW_IAM_HANDLER(bw_iam__delete_user_policy);
BW_IAM_HANDLER(bw_iam__delete_group_policy);
BW_IAM_HANDLER(bw_iam__delete_role_policy);
BW_IAM_HANDLER(bw_iam__list_user_policies);
BW_IAM_HANDLER(bw_iam__list_group_policies);
BW_IAM_HANDLER(bw_iam__list_role_policies);
/* keys.c */
BW_IAM_HANDLER(bw_iam__create_access_key);
BW_IAM_HANDLER(bw_iam__list_access_keys);
BW_IAM_HANDLER(bw_iam__update_access_key);
BW_IAM_HANDLER(bw_iam__delete_access_key);
BW_IAM_HANDLER(bw_iam__get_access_key_last_used);
/* tags.c (and boundaries) */
BW_IAM_HANDLER(bw_iam__tag_user);
BW_IAM_HANDLER(bw_iam__untag_user);
BW_IAM_HANDLER(bw_iam__list_user_tags);
BW_IAM_HANDLER(bw_iam__tag_role);
BW_IAM_HANDLER(bw_iam__untag_role);
BW_IAM_HANDLER(bw_iam__list_role_tags);
BW_IAM_HANDLER(bw_iam__tag_policy);
BW_IAM_HANDLER(bw_iam__untag_policy);
BW_IAM_HANDLER(bw_iam__list_policy_tags);
BW_IAM_HANDLER(bw_iam__put_user_permissions_boundary);
BW_IAM_HANDLER(bw_iam__delete_user_permissions_boundary);
BW_IAM_HANDLER(bw_iam__put_role_permissions_boundary);
BW_IAM_HANDLER(bw_iam__delete_role_permissions_boundary);
/* Validates a PermissionsBoundary ARN parameter (may be NULL: nothing to do). */
enum bw_code bw_iam__boundary_check(struct bw_call *c, const char *arn, struct bw_err *err);
/* authdetails.c */
BW_IAM_HANDLER(bw_iam__get_account_authorization_details);
BW_IAM_HANDLER(bw_iam__get_account_summary);
/* simulate.c */
BW_IAM_HANDLER(bw_iam__simulate_principal_policy);
BW_IAM_HANDLER(bw_iam__simulate_custom_policy);
/* Statement spans in a document, in one pass: pos[i] = {start line, start column,
 * end line, end column} (1-based; the end is just past the closing brace) of the
 * i-th statement, for at most cap statements. Returns how many were found. */
size_t bw_iam__stmt_positions(const char *doc, int (*pos)[4], size_t cap);
/* The span of statement `index` (< 16); false when there is none. */
bool bw_iam__stmt_position(const char *doc, size_t index, int pos[4]);

#endif
