/* SPDX-License-Identifier: Apache-2.0 */
/*
 * Shared inside src/svc/organizations: the caller's organization, ids and ARNs in
 * AWS's formats, input validation with InvalidInputException's Reason values,
 * MaxResults/NextToken paging, JSON output helpers, and the handlers of each file.
 * Everything runs inside the request's store transaction (c->db).
 */
#ifndef BW_SVC_ORGANIZATIONS_INTERNAL_H
#define BW_SVC_ORGANIZATIONS_INTERNAL_H

#include <stdbool.h>
#include <stdint.h>

#include "proto/proto.h"

/* Quota defaults (Organizations User Guide, "Quotas for AWS Organizations"); the values
 * in force are the rows of org_quotas (bw_org__quota). */
#define BW_ORG_MAX_OU_DEPTH     5
#define BW_ORG_HARD_MAX_DEPTH   20   /* the depth quota is clamped to this */
#define BW_ORG_MAX_POLICIES_PER 5    /* SCPs (and other types) per target */
#define BW_ORG_MAX_ACCOUNTS     1000 /* self-hosted default */
#define BW_ORG_MAX_OUS          1000
#define BW_ORG_MAX_POLICY_CHARS 5120
#define BW_ORG_MAX_TAGS         50
#define BW_ORG_HANDSHAKE_MS     (15LL * 24 * 3600 * 1000)
#define BW_ORG_ALLFEAT_MS       (90LL * 24 * 3600 * 1000)

#define BW_ORG_SCP "SERVICE_CONTROL_POLICY"
#define BW_ORG_RCP "RESOURCE_CONTROL_POLICY"

/* The organization a caller belongs to. */
struct bw_org {
    const char *id;
    const char *management; /* management account id */
    const char *mgmt_email;
    const char *feature_set; /* "ALL" | "CONSOLIDATED_BILLING" */
    const char *root_id;
    const char *pending; /* ENABLE_ALL_FEATURES handshake id, or NULL */
    int64_t created_at;
    bool is_management; /* the caller is its management account */
    bool is_delegated;  /* the caller is a delegated administrator */
};

enum bw_org_access {
    BW_ORG_ANY_MEMBER, /* DescribeOrganization, LeaveOrganization */
    BW_ORG_READER,     /* management or delegated administrator */
    BW_ORG_MANAGER,    /* management account only */
};

/* ---- util.c ---- */
/* A quota from org_quotas (name as in migration 0200), or dflt when the row is absent. */
int64_t bw_org__quota(struct bw_call *c, const char *name, int64_t dflt);
/* Loads the caller's organization: AWSOrganizationsNotInUseException when none. */
enum bw_code bw_org__load(struct bw_call *c, enum bw_org_access access, struct bw_org *o,
                          struct bw_err *err);
/* Loads an organization by id (found=false when absent). */
enum bw_code bw_org__load_id(struct bw_call *c, const char *id, struct bw_org *o, bool *found,
                             struct bw_err *err);
/* The organization an account belongs to (NULL when none), and its parent. */
enum bw_code bw_org__account_org(struct bw_call *c, const char *account, const char **org_id,
                                 const char **parent, struct bw_err *err);
/* AccessDeniedException in Organizations' words. */
enum bw_code bw_org__denied(struct bw_err *err);
/* InvalidInputException with a Reason. */
enum bw_code bw_org__invalid(struct bw_err *err, const char *reason, const char *fmt, ...)
    __attribute__((format(printf, 3, 4)));
enum bw_code bw_org__constraint(struct bw_err *err, const char *reason, const char *fmt, ...)
    __attribute__((format(printf, 3, 4)));

/* Reads a string member; min/max lengths are checked (max 0: unlimited). */
enum bw_code bw_org__str(struct bw_call *c, const char *name, bool required, size_t min, size_t max,
                         const char **out, struct bw_err *err);
/* Id shapes. */
enum bw_org_id {
    BW_ORG_ID_ACCOUNT = 1,
    BW_ORG_ID_ROOT = 2,
    BW_ORG_ID_OU = 4,
    BW_ORG_ID_POLICY = 8,
    BW_ORG_ID_HANDSHAKE = 16,
    BW_ORG_ID_CAR = 32,
    BW_ORG_ID_RP = 64,
};
/* Which of `kinds` the id matches (0 when none). */
unsigned bw_org__id_kind(const char *id, unsigned kinds);
/* Reads a required id member of one of `kinds`; malformed → InvalidInputException. */
enum bw_code bw_org__id(struct bw_call *c, const char *name, unsigned kinds, const char **out,
                        unsigned *kind, struct bw_err *err);
/* Fills buf with prefix + n random characters from alphabet. */
char *bw_org__new_id(struct bw_call *c, const char *prefix, size_t n);

/* ARNs. */
const char *bw_org__arn_org(struct bw_call *c, const struct bw_org *o);
const char *bw_org__arn_root(struct bw_call *c, const struct bw_org *o);
const char *bw_org__arn_ou(struct bw_call *c, const struct bw_org *o, const char *ou);
const char *bw_org__arn_account(struct bw_call *c, const struct bw_org *o, const char *acct);
const char *bw_org__arn_policy(struct bw_call *c, const struct bw_org *o, const char *type,
                               const char *id);
const char *bw_org__arn_handshake(struct bw_call *c, const struct bw_org *o, const char *action,
                                  const char *id);
const char *bw_org__lower(struct bw_call *c, const char *s);

/* Paging: MaxResults 1..20, NextToken checked against the organization and operation. */
struct bw_org_page {
    int64_t offset;
    int64_t max;
    const char *salt;
};
enum bw_code bw_org__page(struct bw_call *c, const char *salt, struct bw_org_page *pg,
                          struct bw_err *err);
/* NextToken "<offset>.<16 hex of SHA-256(salt, op, offset)>": make (out: 40 bytes) and
 * check (false when malformed or forged). Pure. */
void bw_org__token_make(const char *salt, const char *op, int64_t offset, char out[40]);
bool bw_org__token_parse(const char *salt, const char *op, const char *tok, int64_t *offset);
/* Sets NextToken in out when more rows follow. */
/* Steps a page's statement (LIMIT max + 1): true while a row is to be output; counts every
 * row in *n so that n > pg->max tells a next page exists. False at the end, on an error
 * (err set) or when st is NULL (bw_db_prep failed and set err). */
bool bw_org__page_next(struct bw_call *c, sqlite3_stmt *st, const struct bw_org_page *pg, int *n,
                       struct bw_err *err);
void bw_org__page_end(struct bw_call *c, const struct bw_org_page *pg, bool more, json_t *out);

/* Output. */
json_t *bw_org__out(struct bw_call *c);
json_t *bw_org__time(int64_t ms);
json_t *bw_org__org_json(struct bw_call *c, const struct bw_org *o, struct bw_err *err);
/* Account row → Account shape. */
enum bw_code bw_org__account_json(struct bw_call *c, const struct bw_org *o, const char *acct,
                                  json_t **out, struct bw_err *err);
/* A row (id, email, name, status, joined_method, joined_at) → Account shape. */
json_t *bw_org__account_row_json(struct bw_call *c, const struct bw_org *o, sqlite3_stmt *st);
/* Policy types enabled on a root → [{"Type","Status"}]. */
json_t *bw_org__root_types(struct bw_call *c, const char *root_id, struct bw_err *err);
bool bw_org__type_enabled(struct bw_call *c, const char *root_id, const char *type);
/* Tags: validates a Tags member (list of {Key, Value}: lengths, aws: prefix, duplicates,
 * the 50-tag quota). */
enum bw_code bw_org__tags_check(json_t *tags, struct bw_err *err);
/* Tags: validates and stores a Tags member on a target. */
enum bw_code bw_org__tags_put(struct bw_call *c, const struct bw_org *o, const char *target,
                              json_t *tags, struct bw_err *err);
/* Attaches a policy; used when creating targets and enabling types. */
enum bw_code bw_org__attach_raw(struct bw_call *c, const struct bw_org *o, const char *policy,
                                const char *target, const char *type, struct bw_err *err);
/* Removes all traces of an account's membership (tags, attachments, delegations). */
enum bw_code bw_org__detach_account(struct bw_call *c, const char *org, const char *acct,
                                    struct bw_err *err);
/* Makes an account a member: row + default policies of the enabled types. */
enum bw_code bw_org__join(struct bw_call *c, const struct bw_org *o, const char *acct,
                          const char *method, struct bw_err *err);
/* Attaches the AWS-managed default of every enabled type to a new target. */
enum bw_code bw_org__attach_defaults(struct bw_call *c, const struct bw_org *o, const char *target,
                                     struct bw_err *err);
/* Finds the parent kind of an id: "ROOT" / "ORGANIZATIONAL_UNIT"; false when absent. */
bool bw_org__parent_exists(struct bw_call *c, const struct bw_org *o, const char *id);

/* Reads a policy type member (INVALID_ENUM_POLICY_TYPE when unknown). */
enum bw_code bw_org__policy_type(struct bw_call *c, const char *name, const char **out,
                                 struct bw_err *err);
/* handshakes.c: the Handshake shape of a stored handshake. */
enum bw_code bw_org__handshake_json(struct bw_call *c, const char *id, json_t **out,
                                    struct bw_err *err);
/* Creates ENABLE_ALL_FEATURES and one APPROVE_ALL_FEATURES per invited member. */
enum bw_code bw_org__start_all_features(struct bw_call *c, const struct bw_org *o, const char **hid,
                                        struct bw_err *err);
/* organization.c: switches to ALL features (SCPs enabled, FullAWSAccess everywhere). */
enum bw_code bw_org__finalize_all_features(struct bw_call *c, const struct bw_org *o,
                                           struct bw_err *err);

/* effective.c: merges one management policy into the effective policy `eff` with the
 * inheritance operators; `locks` carries @@operators_allowed_for_child_policies by key
 * path between calls. Non-objects are ignored. Pure (allocates paths in `a`). */
void bw_org__effective_merge(struct bw_arena *a, json_t *eff, json_t *pol, json_t *locks);

/* ---- handlers ---- */
#define BW_ORG_HANDLER(n) enum bw_code bw_org__##n(struct bw_call *c, struct bw_err *err)
BW_ORG_HANDLER(create_organization);
BW_ORG_HANDLER(describe_organization);
BW_ORG_HANDLER(delete_organization);
BW_ORG_HANDLER(list_roots);
BW_ORG_HANDLER(enable_policy_type);
BW_ORG_HANDLER(disable_policy_type);
BW_ORG_HANDLER(enable_all_features);
BW_ORG_HANDLER(create_account);
BW_ORG_HANDLER(create_govcloud_account);
BW_ORG_HANDLER(describe_create_account_status);
BW_ORG_HANDLER(list_create_account_status);
BW_ORG_HANDLER(describe_account);
BW_ORG_HANDLER(list_accounts);
BW_ORG_HANDLER(list_accounts_for_parent);
BW_ORG_HANDLER(move_account);
BW_ORG_HANDLER(remove_account);
BW_ORG_HANDLER(leave_organization);
BW_ORG_HANDLER(close_account);
BW_ORG_HANDLER(invite_account);
BW_ORG_HANDLER(accept_handshake);
BW_ORG_HANDLER(decline_handshake);
BW_ORG_HANDLER(cancel_handshake);
BW_ORG_HANDLER(describe_handshake);
BW_ORG_HANDLER(list_handshakes_for_org);
BW_ORG_HANDLER(list_handshakes_for_account);
BW_ORG_HANDLER(create_ou);
BW_ORG_HANDLER(describe_ou);
BW_ORG_HANDLER(update_ou);
BW_ORG_HANDLER(delete_ou);
BW_ORG_HANDLER(list_ous_for_parent);
BW_ORG_HANDLER(list_children);
BW_ORG_HANDLER(list_parents);
BW_ORG_HANDLER(create_policy);
BW_ORG_HANDLER(update_policy);
BW_ORG_HANDLER(delete_policy);
BW_ORG_HANDLER(describe_policy);
BW_ORG_HANDLER(list_policies);
BW_ORG_HANDLER(list_policies_for_target);
BW_ORG_HANDLER(list_targets_for_policy);
BW_ORG_HANDLER(attach_policy);
BW_ORG_HANDLER(detach_policy);
BW_ORG_HANDLER(describe_effective_policy);
BW_ORG_HANDLER(tag_resource);
BW_ORG_HANDLER(untag_resource);
BW_ORG_HANDLER(list_tags_for_resource);
BW_ORG_HANDLER(register_delegated_admin);
BW_ORG_HANDLER(deregister_delegated_admin);
BW_ORG_HANDLER(list_delegated_admins);
BW_ORG_HANDLER(list_delegated_services);
BW_ORG_HANDLER(enable_service_access);
BW_ORG_HANDLER(disable_service_access);
BW_ORG_HANDLER(list_service_access);
BW_ORG_HANDLER(put_resource_policy);
BW_ORG_HANDLER(describe_resource_policy);
BW_ORG_HANDLER(delete_resource_policy);

/* ---- delegation.c ---- */
/* Put-time check of a delegation policy: only delegable Organizations actions. */
enum bw_code bw_org__delegation_check(const char *doc, struct bw_err *err);
/* True when the organization's delegation policy (and the caller's own policies) allow
 * the call's operation for a member account. */
bool bw_org__delegated_by_policy(struct bw_call *c, const struct bw_org *o);

/* ---- resources.c: the ARN an operation is authorized on, from its input ---- */
const char *bw_org__res_account(struct bw_call *c);
const char *bw_org__res_ou(struct bw_call *c);
const char *bw_org__res_parent(struct bw_call *c);
const char *bw_org__res_root(struct bw_call *c);
const char *bw_org__res_policy(struct bw_call *c);
const char *bw_org__res_handshake(struct bw_call *c);
const char *bw_org__res_resource(struct bw_call *c);
const char *bw_org__res_target(struct bw_call *c);
const char *bw_org__res_child(struct bw_call *c);

/* ---- enforce.c ---- */
enum bw_code bw_org__authz_hook(struct bw_call *c, struct bw_authz_set *set, struct bw_err *err);

#endif
