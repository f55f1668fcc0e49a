/* SPDX-License-Identifier: Apache-2.0 */
/*
 * The secrets box: AES-256-GCM (OpenSSL EVP) with a random 96-bit nonce per blob
 * and the owner's id as additional authenticated data. The master key file is
 * created atomically with O_EXCL and mode 0600 and wiped from memory on free.
 */
#include "auth/auth.h"

#include <errno.h>
#include <fcntl.h>
#include <openssl/crypto.h>
#include <openssl/evp.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>
#include <unistd.h>

#include "common/log.h"
#include "common/util.h"

#define KEY_LEN   32
#define NONCE_LEN 12
#define TAG_LEN   16

struct bw_secrets {
    unsigned char key[KEY_LEN];
};

static enum bw_code create_key(const char *path, struct bw_secrets *s, struct bw_err *err)
{
    int fd = open(path, O_WRONLY | O_CREAT | O_EXCL | O_CLOEXEC, 0600);
    if (fd < 0)
        return bw_fail(err, BW_E_INTERNAL, "cannot create master key %s: %s", path,
                       strerror(errno));
    bw_random_bytes(s->key, KEY_LEN);
    ssize_t w = write(fd, s->key, KEY_LEN);
    int ok = w == KEY_LEN && fsync(fd) == 0;
    close(fd);
    if (!ok) {
        unlink(path);
        return bw_fail(err, BW_E_INTERNAL, "cannot write master key %s", path);
    }
    return BW_OK;
}

static enum bw_code read_key(const char *path, struct bw_secrets *s, struct bw_err *err)
{
    int fd = open(path, O_RDONLY | O_CLOEXEC);
    if (fd < 0)
        return bw_fail(err, BW_E_INTERNAL, "cannot open master key %s: %s", path, strerror(errno));
    struct stat st;
    if (fstat(fd, &st) != 0 || (st.st_mode & 077) != 0) {
        close(fd);
        return bw_fail(err, BW_E_INTERNAL,
                       "master key %s must be mode 0600 (readable by its owner only)", path);
    }
    ssize_t r = read(fd, s->key, KEY_LEN);
    close(fd);
    if (r != KEY_LEN)
        return bw_fail(err, BW_E_INTERNAL, "master key %s is not %d bytes", path, KEY_LEN);
    return BW_OK;
}

enum bw_code bw_secrets_open(const char *path, bool create, struct bw_secrets **out,
                             struct bw_err *err)
{
    struct bw_secrets *s = calloc(1, sizeof *s);
    if (!s)
        bw_oom();
    enum bw_code rc;
    if (create && access(path, F_OK) != 0)
        rc = create_key(path, s, err);
    else
        rc = read_key(path, s, err);
    if (rc) {
        bw_secrets_free(s);
        return rc;
    }
    *out = s;
    return BW_OK;
}

void bw_secrets_free(struct bw_secrets *s)
{
    if (!s)
        return;
    OPENSSL_cleanse(s->key, sizeof s->key);
    free(s);
}

void bw_secrets_seal(const struct bw_secrets *s, const char *aad, const void *p, size_t len,
                     struct bw_arena *a, void **blob, size_t *blob_len)
{
    unsigned char *out = bw_arena_alloc(a, NONCE_LEN + len + TAG_LEN);
    bw_random_bytes(out, NONCE_LEN);
    EVP_CIPHER_CTX *ctx = EVP_CIPHER_CTX_new();
    int n = 0, fin = 0;
    if (!ctx || EVP_EncryptInit_ex(ctx, EVP_aes_256_gcm(), NULL, s->key, out) != 1 ||
        EVP_EncryptUpdate(ctx, NULL, &n, (const unsigned char *)aad, (int)strlen(aad)) != 1 ||
        EVP_EncryptUpdate(ctx, out + NONCE_LEN, &n, p, (int)len) != 1 ||
        EVP_EncryptFinal_ex(ctx, out + NONCE_LEN + n, &fin) != 1 ||
        EVP_CIPHER_CTX_ctrl(ctx, EVP_CTRL_GCM_GET_TAG, TAG_LEN, out + NONCE_LEN + len) != 1)
        abort(); /* only on OpenSSL failure to encrypt in memory */
    EVP_CIPHER_CTX_free(ctx);
    *blob = out;
    *blob_len = NONCE_LEN + len + TAG_LEN;
}

enum bw_code bw_secrets_unseal(const struct bw_secrets *s, const char *aad, const void *blob,
                               size_t blob_len, struct bw_arena *a, char **out, size_t *out_len,
                               struct bw_err *err)
{
    if (blob_len < NONCE_LEN + TAG_LEN)
        return bw_fail(err, BW_E_INTERNAL, "An internal error occurred.");
    const unsigned char *b = blob;
    size_t len = blob_len - NONCE_LEN - TAG_LEN;
    char *plain = bw_arena_alloc(a, len + 1);
    EVP_CIPHER_CTX *ctx = EVP_CIPHER_CTX_new();
    int n = 0, fin = 0, ok = ctx != NULL;
    ok = ok && EVP_DecryptInit_ex(ctx, EVP_aes_256_gcm(), NULL, s->key, b) == 1;
    ok = ok && EVP_DecryptUpdate(ctx, NULL, &n, (const unsigned char *)aad, (int)strlen(aad)) == 1;
    ok = ok && EVP_DecryptUpdate(ctx, (unsigned char *)plain, &n, b + NONCE_LEN, (int)len) == 1;
    ok = ok && EVP_CIPHER_CTX_ctrl(ctx, EVP_CTRL_GCM_SET_TAG, TAG_LEN,
                                   (void *)(b + NONCE_LEN + len)) == 1;
    ok = ok && EVP_DecryptFinal_ex(ctx, (unsigned char *)plain + n, &fin) == 1;
    EVP_CIPHER_CTX_free(ctx);
    if (!ok) {
        OPENSSL_cleanse(plain, len);
        bw_log(BW_LOG_ERROR, "auth", "a sealed secret failed authentication");
        return bw_fail(err, BW_E_INTERNAL, "An internal error occurred.");
    }
    plain[len] = 0;
    *out = plain;
    if (out_len)
        *out_len = len;
    return BW_OK;
}
