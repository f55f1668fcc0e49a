/* SPDX-License-Identifier: Apache-2.0 */
/*
 * Digest signing keys: RSA-2048 with SHA-256 (PKCS#1 v1.5, CloudTrail's
 * "SHA256withRSA"), so the public key handed out by ListPublicKeys (DER,
 * PKCS#1 RSAPublicKey, as CloudTrail's) verifies digests with any standard
 * tool. The private key is stored sealed with the server's master key; the
 * fingerprint is the hex MD5 of the public DER, as CloudTrail's
 * digestPublicKeyFingerprint. See docs/trail.md for RSA vs Ed25519.
 */
#include "trail/internal.h"

#include <openssl/evp.h>
#include <openssl/rsa.h>
#include <openssl/x509.h>
#include <stdlib.h>
#include <string.h>

#include "common/util.h"

static void fingerprint_of(const unsigned char *der, size_t len, char out[33])
{
    unsigned char md[16];
    unsigned int n = 0;
    EVP_Digest(der, len, md, &n, EVP_md5(), NULL);
    bw_hex_encode(md, sizeof md, out);
}

static const char *const key_insert_sql =
    "INSERT INTO trail_keys (fingerprint, public_der, private_sealed, valid_from_ms)"
    " VALUES (?,?,?,?)";

enum bw_code bw_trail_key_create(struct bw_db *db, const struct bw_secrets *secrets, int64_t now_ms,
                                 int64_t *key_id, struct bw_err *err)
{
    EVP_PKEY *k = EVP_RSA_gen(2048);
    if (!k)
        return bw_fail(err, BW_E_INTERNAL, "RSA key generation failed");
    unsigned char *pub = NULL, *priv = NULL;
    int pub_len = i2d_PublicKey(k, &pub), priv_len = i2d_PrivateKey(k, &priv);
    EVP_PKEY_free(k);
    enum bw_code rc = BW_OK;
    if (pub_len <= 0 || priv_len <= 0) {
        rc = bw_fail(err, BW_E_INTERNAL, "RSA key encoding failed");
        goto out;
    }
    char fp[33];
    fingerprint_of(pub, (size_t)pub_len, fp);
    struct bw_arena *a = bw_arena_new(4096);
    void *blob;
    size_t blob_len;
    bw_secrets_seal(secrets, fp, priv, (size_t)priv_len, a, &blob, &blob_len);
    rc = bw_db_exec(db, err, NULL, key_insert_sql, "sbbi", fp, pub, (size_t)pub_len, blob, blob_len,
                    now_ms);
    bw_arena_free(a);
    if (!rc)
        *key_id = sqlite3_last_insert_rowid(bw_db_handle(db));
out:
    if (priv)
        OPENSSL_clear_free(priv, (size_t)(priv_len > 0 ? priv_len : 0));
    OPENSSL_free(pub);
    return rc;
}

enum bw_code bw_trail__key_load(struct bw_db *db, const struct bw_secrets *secrets,
                                struct bw_arena *a, int64_t key_id, struct bw_trail__key *out,
                                struct bw_err *err)
{
    sqlite3_stmt *st = bw_db_prep(db,
                                  "SELECT fingerprint, private_sealed FROM trail_keys"
                                  " WHERE id = ?",
                                  err, "i", key_id);
    bool row;
    if (!st || bw_db_step(db, st, &row, err))
        return err->code;
    if (!row)
        return bw_fail(err, BW_E_INTERNAL, "trail signing key %lld missing", (long long)key_id);
    out->fingerprint = bw_db_col_str(a, st, 0);
    char *der;
    size_t der_len;
    if (bw_secrets_unseal(secrets, out->fingerprint, sqlite3_column_blob(st, 1),
                          (size_t)sqlite3_column_bytes(st, 1), a, &der, &der_len, err))
        return err->code;
    const unsigned char *p = (const unsigned char *)der;
    out->pkey = d2i_PrivateKey(EVP_PKEY_RSA, NULL, &p, (long)der_len);
    OPENSSL_cleanse(der, der_len);
    if (!out->pkey)
        return bw_fail(err, BW_E_INTERNAL, "trail signing key %s unreadable", out->fingerprint);
    bw_arena_defer(a, (bw_arena_fn)EVP_PKEY_free, out->pkey);
    return BW_OK;
}

char *bw_trail__sign(struct bw_arena *a, EVP_PKEY *key, const char *msg)
{
    EVP_MD_CTX *ctx = EVP_MD_CTX_new();
    size_t len = (size_t)EVP_PKEY_get_size(key);
    unsigned char *sig = bw_arena_alloc(a, len);
    char *hex = NULL;
    if (EVP_DigestSignInit(ctx, NULL, EVP_sha256(), NULL, key) == 1 &&
        EVP_DigestSign(ctx, sig, &len, (const unsigned char *)msg, strlen(msg)) == 1) {
        hex = bw_arena_alloc(a, len * 2 + 1);
        bw_hex_encode(sig, len, hex);
    }
    EVP_MD_CTX_free(ctx);
    return hex;
}

static bool hex_decode(const char *hex, unsigned char *out, size_t cap, size_t *n)
{
    size_t len = strlen(hex);
    if (len % 2 || len / 2 > cap)
        return false;
    for (size_t i = 0; i < len / 2; i++) {
        unsigned v = 0;
        for (int j = 0; j < 2; j++) {
            char ch = hex[2 * i + (size_t)j];
            int d = ch >= '0' && ch <= '9'   ? ch - '0'
                    : ch >= 'a' && ch <= 'f' ? ch - 'a' + 10
                    : ch >= 'A' && ch <= 'F' ? ch - 'A' + 10
                                             : -1;
            if (d < 0)
                return false;
            v = v * 16 + (unsigned)d;
        }
        out[i] = (unsigned char)v;
    }
    *n = len / 2;
    return true;
}

bool bw_trail__verify(const unsigned char *pub_der, size_t pub_len, const char *msg,
                      const char *sig_hex)
{
    const unsigned char *p = pub_der;
    EVP_PKEY *k = d2i_PublicKey(EVP_PKEY_RSA, NULL, &p, (long)pub_len);
    unsigned char sig[1024];
    size_t sig_len;
    bool ok = false;
    if (k && sig_hex && hex_decode(sig_hex, sig, sizeof sig, &sig_len)) {
        EVP_MD_CTX *ctx = EVP_MD_CTX_new();
        ok = EVP_DigestVerifyInit(ctx, NULL, EVP_sha256(), NULL, k) == 1 &&
             EVP_DigestVerify(ctx, sig, sig_len, (const unsigned char *)msg, strlen(msg)) == 1;
        EVP_MD_CTX_free(ctx);
    }
    EVP_PKEY_free(k);
    return ok;
}
