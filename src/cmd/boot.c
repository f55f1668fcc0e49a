/* SPDX-License-Identifier: Apache-2.0 */
/* First start and standalone accounts; see boot.h. */
#include "cmd/boot.h"

#include <errno.h>
#include <fcntl.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>

#include "common/util.h"
#include "svc/iam/iam.h"

void bw_svc_register_all(struct bw_server *srv); /* generated: src/svc/CMakeLists.txt */

void bw_boot_register(struct bw_server *srv)
{
    bw_svc_register_all(srv);
}

struct admin {
    char account[13];
    const char *akid, *secret;
};

/* Account + admin user + AdministratorAccess + access key, in the open transaction. */
static enum bw_code make_account(struct bw_db *db, struct bw_server *srv, struct bw_arena *a,
                                 const char *name, const char *email, bool bootstrap,
                                 struct admin *out, struct bw_err *err)
{
    int64_t now = bw_now_ms();
    if (bw_iam_account_create(db, name, email, now, out->account, err) ||
        bw_db_exec(db, err, NULL, "UPDATE accounts SET is_bootstrap = ? WHERE id = ?", "ds",
                   bootstrap ? 1 : 0, out->account) ||
        bw_iam_user_create(db, a, out->account, "admin", "/", now, NULL, err) ||
        bw_iam_attach(db, out->account, "user", "admin", BW_IAM_AWS_POLICY("AdministratorAccess"),
                      err) ||
        bw_iam_access_key_create(db, bw_server_secrets(srv), a, out->account, "admin", now,
                                 &out->akid, &out->secret, err))
        return err->code;
    return BW_OK;
}

static enum bw_code write_private(const char *path, const char *text, struct bw_err *err)
{
    char tmp[4200];
    snprintf(tmp, sizeof tmp, "%s.tmp", path);
    int fd = open(tmp, O_WRONLY | O_CREAT | O_TRUNC | O_CLOEXEC, 0600);
    if (fd < 0)
        return bw_fail(err, BW_E_INTERNAL, "cannot write %s: %s", tmp, strerror(errno));
    size_t len = strlen(text);
    bool ok = write(fd, text, len) == (ssize_t)len && fsync(fd) == 0;
    close(fd);
    if (!ok || rename(tmp, path) != 0)
        return bw_fail(err, BW_E_INTERNAL, "cannot write %s", path);
    return BW_OK;
}

static enum bw_code write_cli_files(const char *dir, const struct admin *ad, const char *region,
                                    struct bw_err *err)
{
    char path[4096], text[1024];
    snprintf(path, sizeof path, "%s/credentials", dir);
    snprintf(text, sizeof text, "[bulwark]\naws_access_key_id = %s\naws_secret_access_key = %s\n",
             ad->akid, ad->secret);
    if (write_private(path, text, err))
        return err->code;
    snprintf(path, sizeof path, "%s/config", dir);
    snprintf(text, sizeof text, "[profile bulwark]\nregion = %s\noutput = json\n", region);
    return write_private(path, text, err);
}

static bool any_account(struct bw_db *db)
{
    struct bw_err err;
    bool row = false;
    sqlite3_stmt *st = bw_db_prep(db, "SELECT 1 FROM accounts LIMIT 1", &err, "");
    if (st)
        bw_db_step(db, st, &row, &err);
    return row;
}

enum bw_code bw_boot_init(struct bw_server *srv, const char *endpoint, bool *created,
                          struct bw_err *err)
{
    struct bw_db *db = bw_server_db(srv, err);
    if (!db)
        return err->code;
    struct bw_arena *a = bw_arena_new(0);
    struct admin ad;
    const struct bw_server_config *cfg = bw_server_config(srv);
    *created = false;
    enum bw_code rc = bw_db_begin(db, true, err);
    if (!rc)
        rc = bw_iam_seed_managed(db, bw_now_ms(), err);
    if (!rc && !any_account(db)) {
        rc = make_account(db, srv, a, "management", "admin@bulwark.local", true, &ad, err);
        if (!rc)
            rc = write_cli_files(cfg->data_dir, &ad, cfg->region, err);
        *created = rc == BW_OK;
    }
    if (!rc)
        rc = bw_db_commit(db, err);
    bw_server_db_put(srv, db);
    char abs[4096];
    const char *dir = realpath(cfg->data_dir, abs) ? abs : cfg->data_dir;
    if (*created) {
        printf("bulwark: created account %s with user admin; credentials in %s/credentials\n"
               "Try it:\n"
               "  export AWS_SHARED_CREDENTIALS_FILE=%s/credentials AWS_CONFIG_FILE=%s/config "
               "AWS_PROFILE=bulwark\n"
               "  aws --endpoint-url %s sts get-caller-identity\n",
               ad.account, dir, dir, dir, endpoint);
        fflush(stdout);
    }
    bw_arena_free(a);
    return rc;
}

enum bw_code bw_boot_create_account(struct bw_server *srv, const char *name, const char *email,
                                    struct bw_err *err)
{
    struct bw_db *db = bw_server_db(srv, err);
    if (!db)
        return err->code;
    struct bw_arena *a = bw_arena_new(0);
    struct admin ad;
    enum bw_code rc = bw_db_begin(db, true, err);
    if (!rc)
        rc = bw_iam_seed_managed(db, bw_now_ms(), err);
    if (!rc)
        rc = make_account(db, srv, a, name, email, false, &ad, err);
    if (!rc)
        rc = bw_db_commit(db, err);
    bw_server_db_put(srv, db);
    if (!rc)
        printf("account_id = %s\n[%s]\naws_access_key_id = %s\naws_secret_access_key = %s\n",
               ad.account, name, ad.akid, ad.secret);
    bw_arena_free(a);
    return rc;
}
