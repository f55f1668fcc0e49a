/* SPDX-License-Identifier: Apache-2.0 */
/*
 * AWS Signature Version 4: parsing, canonical request, signing key, verification
 * and client-side signing, for the Authorization header and for presigned query
 * strings (AWS General Reference, "Signature Version 4 signing process": create a
 * canonical request, create a string to sign, derive the signing key, calculate the
 * signature; "Authenticating requests: using query parameters").
 *
 * Pure: no I/O, no store and no clock (callers pass `now`). Everything a function
 * returns lives in the caller's arena or points into the caller's request. Errors are
 * AWS's names and wording (MissingAuthenticationToken, IncompleteSignature,
 * SignatureDoesNotMatch, RequestExpired); no message ever contains a secret or a
 * signature. The signing-key cache is the only shared object; it is thread-safe.
 *
 * Server flow: bw_sigv4_parse() -> bw_sigv4_check_scope() (the service the request was
 * routed to) -> look the access key id up (InvalidClientTokenId, "The security token
 * included in the request is invalid.", is the caller's) -> bw_sigv4_verify().
 */
#ifndef BW_AUTH_SIGV4_H
#define BW_AUTH_SIGV4_H

#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>

#include "common/arena.h"
#include "common/errors.h"
#include "common/str.h"

#define BW_SIGV4_ALGORITHM     "AWS4-HMAC-SHA256"
#define BW_SIGV4_UNSIGNED      "UNSIGNED-PAYLOAD"
#define BW_SIGV4_MAX_SKEW_S    900    /* 15 minutes, both directions */
#define BW_SIGV4_MAX_EXPIRES   604800 /* presigned: seven days */
#define BW_SIGV4_MAX_HEADERS   64     /* signed header names accepted */
#define BW_SIGV4_KEY_LEN       32     /* a derived signing key */
#define BW_SIGV4_MSG_BAD_TOKEN "The security token included in the request is invalid."
/* ExpiredToken (session credentials past their expiry), as STS words it. */
#define BW_SIGV4_MSG_EXPIRED_TOKEN "The security token included in the request is expired"
#define BW_SIGV4_MSG_MISMATCH                                                                      \
    "The request signature we calculated does not match the signature you provided. Check "        \
    "your AWS Secret Access Key and signing method. Consult the service documentation for "        \
    "details."

/* One request header as received: any case, possibly repeated. */
struct bw_sigv4_header {
    struct bw_str name;
    struct bw_str value;
};

/* A request as received (or, for bw_sigv4_sign, as it will be sent). */
struct bw_sigv4_request {
    struct bw_str method;                  /* "GET", "POST" */
    struct bw_str path;                    /* raw path as on the wire, no '?' nor query */
    struct bw_str query;                   /* raw query string without '?' (may be empty) */
    const struct bw_sigv4_header *headers; /* as received, in order */
    size_t n_headers;
    struct bw_str payload;          /* the body (may be empty) */
    const char *payload_sha256_hex; /* optional: lower-case hex SHA-256 of payload, or NULL */
};

enum bw_sigv4_kind {
    BW_SIGV4_HEADER = 1, /* Authorization: AWS4-HMAC-SHA256 ... */
    BW_SIGV4_PRESIGNED,  /* X-Amz-Algorithm=... in the query string */
};

/* What bw_sigv4_parse found. Views point into the request or the arena. */
struct bw_sigv4_auth {
    enum bw_sigv4_kind kind;
    struct bw_str access_key_id;
    struct bw_str scope_date; /* YYYYMMDD from the credential scope */
    struct bw_str region;
    struct bw_str service;
    struct bw_str scope;          /* "20150830/us-east-1/iam/aws4_request" */
    struct bw_str signed_headers; /* "content-type;host;x-amz-date", as sent */
    struct bw_str *header_names;  /* signed_headers split at ';' (arena) */
    size_t n_header_names;
    struct bw_str signature;      /* 64 lower-case hex digits (never log it) */
    char amz_date[17];            /* the request time, "YYYYMMDDTHHMMSSZ" */
    int64_t request_time;         /* the same, in epoch seconds */
    struct bw_str security_token; /* X-Amz-Security-Token; empty when absent */
    int64_t expires;              /* presigned X-Amz-Expires in seconds; 0 for header auth */
};

/*
 * Finds and parses the request's authentication: the Authorization header, or the
 * presigned X-Amz-* query parameters. Checks the form only (algorithm, the three
 * parameters, a five-part credential scope ending in aws4_request, host signed, a
 * well-formed request time whose date matches the scope's); not the signature nor the
 * clock. Errors: MissingAuthenticationToken (no authentication at all),
 * IncompleteSignature (a part missing or malformed), SignatureDoesNotMatch (scope date
 * differs from the request date). `out` views live in the request and `a`.
 */
enum bw_code bw_sigv4_parse(const struct bw_sigv4_request *req, struct bw_arena *a,
                            struct bw_sigv4_auth *out, struct bw_err *err);

/*
 * Checks the credential scope against the service the request was routed to and the
 * regions this server answers (`region` NULL accepts any well-formed region).
 * Errors: SignatureDoesNotMatch with AWS's "Credential should be scoped to ..." wording.
 */
enum bw_code bw_sigv4_check_scope(const struct bw_sigv4_auth *auth, const char *service,
                                  const char *region, struct bw_err *err);

/* A bounded, thread-safe cache of derived signing keys. */
struct bw_sigv4_cache;

/* A cache of at most `n` keys (rounded up to a power of two; 0: 1024). Free with _free. */
struct bw_sigv4_cache *bw_sigv4_cache_new(size_t n);
/* Wipes and frees the cache. NULL is a no-op. Not concurrently with other calls. */
void bw_sigv4_cache_free(struct bw_sigv4_cache *c);
/* Cache hits and misses so far (for /metrics). Thread-safe. */
void bw_sigv4_cache_stats(struct bw_sigv4_cache *c, uint64_t *hits, uint64_t *misses);

/*
 * The signing key HMAC(HMAC(HMAC(HMAC("AWS4" + secret, date), region), service),
 * "aws4_request") into out (32 bytes). With `cache` (may be NULL) the key is looked up
 * by (access key id, date, region, service, SHA-256 of the secret), so a rotated secret
 * never hits a stale entry. Thread-safe.
 */
void bw_sigv4_signing_key(struct bw_sigv4_cache *cache, struct bw_str access_key_id,
                          struct bw_str secret, struct bw_str date, struct bw_str region,
                          struct bw_str service, uint8_t out[BW_SIGV4_KEY_LEN]);

/*
 * Verifies a parsed request with the access key's secret at time `now` (epoch seconds):
 * the clock first (header auth: request time within 15 minutes of now, else
 * SignatureDoesNotMatch "Signature expired: ... is now earlier than ... (... - 15 min.)"
 * or "Signature not yet current: ... is still later than ... (... + 15 min.)";
 * presigned: RequestExpired once X-Amz-Date + X-Amz-Expires has passed), then the
 * payload hash (x-amz-content-sha256 must match the body unless it is UNSIGNED-PAYLOAD),
 * then the signature, compared in constant time (SignatureDoesNotMatch). `cache` may be
 * NULL. Scratch memory comes from `a`. Thread-safe.
 */
enum bw_code bw_sigv4_verify(const struct bw_sigv4_request *req, const struct bw_sigv4_auth *auth,
                             struct bw_str secret, int64_t now, struct bw_sigv4_cache *cache,
                             struct bw_arena *a, struct bw_err *err);

/*
 * The canonical request (method, canonical URI, canonical query, canonical headers,
 * signed headers, payload hash joined by '\n') for `auth`'s signed headers, with
 * `payload_hash` as its last line. In `a`. For tests and for debugging a mismatch.
 */
struct bw_str bw_sigv4_canonical_request(const struct bw_sigv4_request *req,
                                         const struct bw_sigv4_auth *auth,
                                         struct bw_str payload_hash, struct bw_arena *a);

/* The canonical URI of a raw path for non-S3 services: dot segments removed, empty
 * segments collapsed, then every byte but unreserved ones and '/' percent-encoded (the
 * path as received is already encoded once, so this is AWS's "encode twice"). In `a`. */
struct bw_str bw_sigv4_canonical_uri(struct bw_str raw_path, struct bw_arena *a);

/* The canonical query string of a raw query: each name and value form-decoded ('%XX',
 * and '+' as a space) and re-encoded per RFC 3986, pairs sorted by name then value,
 * X-Amz-Signature left out when `presigned`. In `a`. */
struct bw_str bw_sigv4_canonical_query(struct bw_str raw_query, bool presigned, struct bw_arena *a);

/* The string to sign: algorithm, amz_date, scope and hex SHA-256 of the canonical
 * request, joined by '\n'. In `a`. */
struct bw_str bw_sigv4_string_to_sign(const char *amz_date, struct bw_str scope,
                                      struct bw_str canonical_request, struct bw_arena *a);

/* Credentials for the client side. */
struct bw_sigv4_creds {
    const char *access_key_id;
    const char *secret_access_key;
    const char *session_token; /* NULL or "" for long-term keys */
};

/* What bw_sigv4_sign produced: headers the caller adds to the request. In the arena. */
struct bw_sigv4_signed {
    char amz_date[17];          /* value of X-Amz-Date */
    char payload_hash[65];      /* hex SHA-256 of the payload */
    const char *authorization;  /* value of Authorization */
    const char *security_token; /* value of X-Amz-Security-Token, or NULL */
};

/*
 * Signs a request for (region, service) at time `now`. Every header in req is signed
 * (it must include Host), plus X-Amz-Date and X-Amz-Security-Token, which the caller
 * sends with the values in `out`; req must not already contain those two nor an
 * Authorization header. `cache` may be NULL. Thread-safe.
 */
enum bw_code bw_sigv4_sign(const struct bw_sigv4_request *req, const struct bw_sigv4_creds *creds,
                           const char *region, const char *service, int64_t now,
                           struct bw_sigv4_cache *cache, struct bw_arena *a,
                           struct bw_sigv4_signed *out, struct bw_err *err);

/*
 * Presigns a request: returns req->query (may be empty) followed by X-Amz-Algorithm,
 * X-Amz-Credential, X-Amz-Date, X-Amz-Expires, X-Amz-SignedHeaders (host only),
 * X-Amz-Security-Token when a session token is given, and X-Amz-Signature, signed over
 * the hash of req's payload. The request must carry a Host header. In `a`.
 */
enum bw_code bw_sigv4_presign(const struct bw_sigv4_request *req,
                              const struct bw_sigv4_creds *creds, const char *region,
                              const char *service, int64_t now, int64_t expires, struct bw_arena *a,
                              struct bw_str *out, struct bw_err *err);

#endif
