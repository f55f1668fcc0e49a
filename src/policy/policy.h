/* SPDX-License-Identifier: Apache-2.0 */
/*
 * The IAM policy engine: parse, validate, compile and evaluate IAM JSON policies
 * (IAM JSON policy element reference; "Policy evaluation logic" in the IAM User Guide;
 * SCP and RCP evaluation in the Organizations User Guide). Pure: no I/O, no global
 * mutable state. A compiled policy is immutable after bw_policy_compile() and may be
 * shared between threads; bw_policy_evaluate() is re-entrant and allocates nothing
 * (the caller passes the request, the policy set and a fixed-size explain buffer).
 * Nothing is cached across evaluations, so no decision can be stale.
 */
#ifndef BW_POLICY_POLICY_H
#define BW_POLICY_POLICY_H

#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>

#include "common/errors.h"
#include "common/str.h"

/* The kind of a policy document: decides which elements are required or forbidden. */
enum bw_policy_kind {
    BW_POLICY_IDENTITY = 0, /* managed or inline identity policy: no Principal, Resource required */
    BW_POLICY_RESOURCE,     /* resource-based policy: Principal required */
    BW_POLICY_TRUST,        /* role trust policy: resource-like, Principal required */
    BW_POLICY_SCP,          /* service control policy: no Principal */
    BW_POLICY_RCP,          /* resource control policy: Principal must be "*" */
    BW_POLICY_BOUNDARY,     /* permissions boundary: identity-like */
    BW_POLICY_SESSION,      /* session policy (AssumeRole/GetFederationToken Policy) */
};

/*
 * Size limits in characters, whitespace excluded (IAM and STS quotas; Organizations
 * quotas). Pass one as `max_chars` to bw_policy_compile, or 0 for the kind's default
 * (bw_policy_kind_default_limit). AWS counts the document without whitespace.
 */
#define BW_POLICY_LIMIT_MANAGED      6144  /* customer managed policy */
#define BW_POLICY_LIMIT_INLINE_USER  2048  /* aggregate of a user's inline policies */
#define BW_POLICY_LIMIT_INLINE_ROLE  10240 /* aggregate of a role's inline policies */
#define BW_POLICY_LIMIT_INLINE_GROUP 5120  /* aggregate of a group's inline policies */
#define BW_POLICY_LIMIT_TRUST        2048  /* role trust policy (default quota) */
#define BW_POLICY_LIMIT_SCP          5120  /* service control policy */
#define BW_POLICY_LIMIT_RCP          5120  /* resource control policy */
#define BW_POLICY_LIMIT_SESSION      2048  /* session policy (packed size aside) */
#define BW_POLICY_LIMIT_RESOURCE     20480 /* resource policies: service-specific; S3's 20 KB */

/* The default size limit of a kind (managed for identity and boundary). */
size_t bw_policy_kind_default_limit(enum bw_policy_kind kind);
/* "identity", "resource", "trust", "scp", "rcp", "boundary", "session". */
const char *bw_policy_kind_name(enum bw_policy_kind kind);
/* Parses a kind name as above; false when unknown. */
bool bw_policy_kind_parse(const char *name, enum bw_policy_kind *out);

/* An opaque compiled policy: immutable, thread-safe to evaluate concurrently. */
struct bw_policy;

/* Why a document was rejected. msg is IAM's MalformedPolicyDocument message. */
struct bw_policy_diag {
    char msg[256];  /* e.g. "Policy document should not specify a principal." */
    char path[128]; /* JSON path, e.g. "$.Statement[1].Condition.StringEquals" */
    bool too_large; /* the size limit was exceeded (IAM answers LimitExceeded for this) */
};

/*
 * Compiles a JSON policy document of `kind`. `id` (may be NULL) names the policy in
 * explanations (an ARN or a name); it is copied. `max_chars` caps the size without
 * whitespace (0: the kind's default; SIZE_MAX: no limit). On success *out owns a new
 * policy (free with bw_policy_free). On a malformed document returns
 * BW_E_IAM_MALFORMED_POLICY ("MalformedPolicyDocument") with diag (when not NULL)
 * filled and err carrying "<msg> (at <path>)"; callers for STS/Organizations remap the code.
 * Never crashes on any byte string. Thread-safe.
 */
enum bw_code bw_policy_compile(const char *doc, size_t len, enum bw_policy_kind kind,
                               const char *id, size_t max_chars, struct bw_policy **out /* OUT: */,
                               struct bw_policy_diag *diag /* OUT: */, struct bw_err *err);
/*
 * A parsed JSON value (see bw_policy_json_parse): immutable, owned by the arena it was
 * parsed into. Strings are unescaped and NUL-terminated; numbers keep their text; an
 * object's keys[i] goes with items[i].
 */
enum bw_policy_json_type {
    BW_JSON_NULL = 0,
    BW_JSON_FALSE,
    BW_JSON_TRUE,
    BW_JSON_NUMBER,
    BW_JSON_STRING,
    BW_JSON_ARRAY,
    BW_JSON_OBJECT,
};

struct bw_policy_json {
    uint8_t type;
    const char *s; /* STRING: the text; NUMBER: its literal */
    size_t len;
    size_t n; /* ARRAY, OBJECT: element count */
    struct bw_policy_json *items;
    struct bw_str *keys; /* OBJECT only */
};

#define BW_POLICY_JSON_MAX_DEPTH 64

struct bw_arena;

/*
 * Parses strict JSON (RFC 8259: UTF-8, no NUL in strings, no duplicate keys, depth at most
 * BW_POLICY_JSON_MAX_DEPTH) into a tree allocated in `a`. On malformed input returns
 * BW_E_SERIALIZATION with the reason and offset in err. Used by the policy compiler and by
 * tools (the `bulwark policy evaluate` reader); no global state.
 */
enum bw_code bw_policy_json_parse(struct bw_arena *a, const char *text, size_t len,
                                  const struct bw_policy_json **out /* OUT: */, struct bw_err *err);
/* An object member by exact key, or NULL (also when o is not an object). */
const struct bw_policy_json *bw_policy_json_get(const struct bw_policy_json *o, const char *key);

/*
 * bw_policy_compile for a document already parsed with bw_policy_json_parse. The size
 * limit is counted on the source text by the caller's choice: pass `chars` (characters
 * without whitespace) or 0 to skip the check.
 */
enum bw_code bw_policy_compile_json(const struct bw_policy_json *doc, enum bw_policy_kind kind,
                                    const char *id, size_t max_chars, size_t chars,
                                    struct bw_policy **out /* OUT: */,
                                    struct bw_policy_diag *diag /* OUT: */, struct bw_err *err);
/*
 * bw_policy_compile_json into the caller's arena `a`: no arena of its own, and the policy
 * borrows strings from `doc`, so both `a` and the arena holding `doc` must outlive it (the
 * simplest: `doc` parsed into `a`). bw_policy_free on it is a no-op; the memory goes with
 * `a`. For callers that compile many short-lived policies (`bulwark policy evaluate`).
 */
enum bw_code bw_policy_compile_json_in(struct bw_arena *a, const struct bw_policy_json *doc,
                                       enum bw_policy_kind kind, const char *id, size_t max_chars,
                                       size_t chars, struct bw_policy **out /* OUT: */,
                                       struct bw_policy_diag *diag /* OUT: */, struct bw_err *err);
/* Frees a compiled policy; NULL is a no-op (and so is a policy from _compile_json_in). */
void bw_policy_free(struct bw_policy *p);
/* The kind and id given at compile time. */
enum bw_policy_kind bw_policy_kind_of(const struct bw_policy *p);
const char *bw_policy_id(const struct bw_policy *p);
/* Number of statements. */
size_t bw_policy_statement_count(const struct bw_policy *p);

/* The type of the principal making a request (aws:PrincipalType is derived from it). */
enum bw_policy_principal_type {
    BW_PRINCIPAL_ANONYMOUS = 0,
    BW_PRINCIPAL_USER,         /* IAM user: arn:aws:iam::ACCT:user/path/name */
    BW_PRINCIPAL_ASSUMED_ROLE, /* role session: arn:aws:sts::ACCT:assumed-role/R/S */
    BW_PRINCIPAL_ROOT,         /* account root: arn:aws:iam::ACCT:root */
    BW_PRINCIPAL_FEDERATED,    /* GetFederationToken: arn:aws:sts::ACCT:federated-user/N */
    BW_PRINCIPAL_SERVICE,      /* an AWS service principal, e.g. "ec2.amazonaws.com" */
};

/* A key/value tag (case of the key is preserved; tag keys compare case-insensitively). */
struct bw_policy_tag {
    struct bw_str key;
    struct bw_str value;
};

/*
 * A request context key with one or several values, all given as strings: the engine
 * parses numbers, dates (ISO 8601 or epoch seconds), booleans, IPs and ARNs as the
 * operator requires. n == 0 is an empty multivalued key (present but empty).
 */
struct bw_policy_ctx_key {
    struct bw_str key; /* e.g. "aws:SourceIp", "aws:RequestTag/team"; case-insensitive */
    const struct bw_str *values;
    size_t n;
};

/*
 * An optional callback to resolve context keys not in the array (e.g. computed lazily).
 * Returns true and sets *values and *n when the key exists. Must not retain pointers.
 */
typedef bool (*bw_policy_ctx_fn)(void *arg, struct bw_str key, const struct bw_str **values,
                                 size_t *n);

struct bw_policy_principal {
    enum bw_policy_principal_type type;
    struct bw_str arn;        /* the session or user ARN; empty for anonymous */
    struct bw_str account;    /* 12-digit account id */
    struct bw_str issuer_arn; /* for ASSUMED_ROLE: the role ARN (arn:aws:iam::A:role/path/R) */
    struct bw_str user_id;    /* aws:userid, e.g. "AIDA..." or "AROA...:session" */
    struct bw_str username;   /* aws:username (IAM users only) */
    const struct bw_policy_tag *tags; /* aws:PrincipalTag/<key> */
    size_t n_tags;
};

struct bw_policy_resource {
    struct bw_str arn;                /* the resource ARN, or "*" for actions without a resource */
    struct bw_str account;            /* owning account; empty = the principal's account */
    const struct bw_policy_tag *tags; /* aws:ResourceTag/<key> */
    size_t n_tags;
};

/*
 * One authorization request. Keys derived from the principal and resource
 * (aws:PrincipalArn, aws:PrincipalAccount, aws:PrincipalType, aws:PrincipalTag/<key>,
 * aws:username, aws:userid, aws:ResourceAccount, aws:ResourceTag/<key>) are supplied by the
 * engine when the context does not carry them; everything else (aws:SourceIp,
 * aws:CurrentTime, aws:EpochTime, aws:SecureTransport, aws:MultiFactorAuthPresent,
 * aws:RequestTag/<key>, aws:TagKeys, aws:PrincipalOrgID, aws:PrincipalOrgPaths,
 * aws:ResourceOrgID, aws:ResourceOrgPaths, service keys…) comes from the caller.
 */
struct bw_policy_request {
    struct bw_policy_principal principal;
    struct bw_str action; /* "service:Action" */
    struct bw_policy_resource resource;
    const struct bw_policy_ctx_key *ctx;
    size_t n_ctx;
    bw_policy_ctx_fn ctx_fn; /* optional, consulted after ctx */
    void *ctx_arg;
};

/* A level of an SCP or RCP chain: the policies attached at the root, an OU or the account. */
struct bw_policy_level {
    const struct bw_policy *const *policies;
    size_t n;
};

/* Everything that applies to one request. Arrays may be NULL when their n is 0. */
struct bw_policy_set {
    const struct bw_policy *const *identity; /* the principal's identity policies */
    size_t n_identity;
    const struct bw_policy *const *boundaries; /* permissions boundary (0 or 1 in AWS) */
    size_t n_boundaries;
    const struct bw_policy *const *session; /* session policies (inline + managed ARNs) */
    size_t n_session;
    const struct bw_policy_level *scps; /* root first, then each OU, then the account */
    size_t n_scp_levels;                /* 0: no Organizations SCPs apply */
    const struct bw_policy_level *rcps; /* root first, ...; RCPFullAWSAccess is implied */
    size_t n_rcp_levels;
    const struct bw_policy *resource; /* resource-based policy, or NULL */
    bool is_management_account;       /* the principal's account is the management account: no SCPs
                                         (nor RCPs when the resource is in the same account) */
    bool resource_in_management_account; /* the resource's account is: no RCPs */
};

enum bw_policy_decision {
    BW_POLICY_IMPLICIT_DENY = 0,
    BW_POLICY_ALLOWED,
    BW_POLICY_EXPLICIT_DENY,
};

/* Which policy type a statement or a denial comes from. */
enum bw_policy_source {
    BW_SRC_NONE = 0,
    BW_SRC_IDENTITY,
    BW_SRC_RESOURCE,
    BW_SRC_BOUNDARY,
    BW_SRC_SESSION,
    BW_SRC_SCP,
    BW_SRC_RCP,
};

/* A statement that matched the request (action, resource, principal and conditions). */
struct bw_policy_match {
    const struct bw_policy *policy;
    enum bw_policy_source source;
    uint16_t level;    /* SCP/RCP chain level (0 = root); 0 otherwise */
    uint16_t index;    /* statement index in the policy */
    bool deny;         /* Effect */
    struct bw_str sid; /* empty when the statement has no Sid */
};

/*
 * The explanation, filled by bw_policy_evaluate when not NULL. The caller owns
 * `matches` (capacity `cap`); n_matches counts all matches, stored or not.
 */
struct bw_policy_explain {
    struct bw_policy_match *matches;
    size_t cap;
    size_t n_matches;
    enum bw_policy_source denied_by; /* for a denial: which policy type decided it */
    int level;                       /* for SCP/RCP denials: the chain level; else -1 */
};

/* AWS's EvalDecision word: "allowed", "explicitDeny", "implicitDeny". */
const char *bw_policy_decision_name(enum bw_policy_decision d);
/* "identity-based policy", "resource-based policy", "service control policy", ... */
const char *bw_policy_source_name(enum bw_policy_source s);

/*
 * Evaluates a request against a policy set in AWS's order: explicit deny anywhere →
 * RCPs and SCPs (every level needs an Allow) → resource policy → identity policies →
 * permissions boundary → session policies. Re-entrant, allocation-free; explain may be
 * NULL. The policies in `set` must outlive the call.
 */
enum bw_policy_decision bw_policy_evaluate(const struct bw_policy_set *set,
                                           const struct bw_policy_request *req,
                                           struct bw_policy_explain *explain /* OUT: */);

/*
 * Evaluates only the given policies (e.g. identity policies, for IAM's
 * SimulatePrincipalPolicy/SimulateCustomPolicy): explicit deny → allowed if any Allow
 * matches → implicit deny. Statements matched go to explain.
 */
enum bw_policy_decision bw_policy_evaluate_only(const struct bw_policy *const *policies, size_t n,
                                                enum bw_policy_source source,
                                                const struct bw_policy_request *req,
                                                struct bw_policy_explain *explain /* OUT: */);

/*
 * Renders AWS's AccessDenied message tail into buf (always NUL-terminated), e.g.
 * "User: arn:aws:iam::111122223333:user/bob is not authorized to perform: s3:GetObject
 * on resource: arn:aws:s3:::b/k because no identity-based policy allows the
 * s3:GetObject action" or "... with an explicit deny in a service control policy".
 * Returns the length that would have been written.
 */
size_t bw_policy_denial_message(const struct bw_policy_request *req, enum bw_policy_decision d,
                                const struct bw_policy_explain *explain, char *buf, size_t cap);

#endif
