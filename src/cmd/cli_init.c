/* SPDX-License-Identifier: Apache-2.0 */
/* `bulwark init` and `bulwark admin create-account`. */
#include <stdio.h>
#include <string.h>

#include "cmd/boot.h"
#include "cmd/cli.h"
#include "common/util.h"
#include "svc/iam/iam.h"

static struct bw_server *open_server(const char *data_dir)
{
    struct bw_err err;
    bw_err_clear(&err);
    struct bw_server_config cfg = {.data_dir = data_dir};
    struct bw_server *srv;
    if (bw_server_new(&cfg, &srv, &err)) {
        fprintf(stderr, "bulwark: %s\n", err.msg);
        return NULL;
    }
    bw_boot_register(srv);
    return srv;
}

static const char *flag(int argc, char **argv, const char *name, const char *dflt)
{
    for (int i = 1; i + 1 < argc; i++)
        if (!strcmp(argv[i], name))
            return argv[i + 1];
    return dflt;
}

int bw_cli_init(int argc, char **argv)
{
    const char *dir = flag(argc, argv, "--data-dir", "./data");
    const char *ep = flag(argc, argv, "--endpoint", "http://127.0.0.1:4566");
    struct bw_server *srv = open_server(dir);
    if (!srv)
        return 1;
    struct bw_err err;
    bw_err_clear(&err);
    bool created;
    int rc = bw_boot_init(srv, ep, &created, &err) ? 1 : 0;
    if (rc)
        fprintf(stderr, "bulwark init: %s\n", err.msg);
    else if (!created)
        printf("bulwark: %s is already initialised\n", dir);
    bw_server_free(srv);
    return rc;
}

/* --root-key: an access key of the new account's root user (for tests of what SCPs do
 * to the root user of a member account); printed once, like the admin key. */
static enum bw_code print_root_key(struct bw_server *srv, const char *email, struct bw_err *err)
{
    struct bw_db *db = bw_server_db(srv, err);
    if (!db)
        return err->code;
    struct bw_arena *a = bw_arena_new(0);
    const char *akid, *secret, *acct = NULL;
    bool row = false;
    enum bw_code rc = bw_db_begin(db, true, err);
    sqlite3_stmt *st =
        rc ? NULL : bw_db_prep(db, "SELECT id FROM accounts WHERE email = ?", err, "s", email);
    if (!st || bw_db_step(db, st, &row, err) || !row)
        rc = row ? err->code : bw_fail(err, BW_E_INTERNAL, "account not found");
    if (!rc)
        acct = bw_db_col_str(a, st, 0);
    if (!rc)
        rc = bw_iam_access_key_create(db, bw_server_secrets(srv), a, acct, NULL, bw_now_ms(), &akid,
                                      &secret, err);
    if (!rc)
        rc = bw_db_commit(db, err);
    bw_db_release(db);
    bw_server_db_put(srv, db);
    if (!rc)
        printf("root_access_key_id = %s\nroot_secret_access_key = %s\n", akid, secret);
    bw_arena_free(a);
    return rc;
}

int bw_cli_admin(int argc, char **argv)
{
    if (argc < 2 || strcmp(argv[1], "create-account") != 0) {
        fputs("usage: bulwark admin create-account --name NAME --email EMAIL [--data-dir DIR] "
              "[--root-key]\n",
              stderr);
        return 2;
    }
    const char *name = flag(argc, argv, "--name", NULL);
    const char *email = flag(argc, argv, "--email", NULL);
    if (!name || !email || !strchr(email, '@')) {
        fputs("bulwark admin create-account: --name and a valid --email are required\n", stderr);
        return 2;
    }
    struct bw_server *srv = open_server(flag(argc, argv, "--data-dir", "./data"));
    if (!srv)
        return 1;
    struct bw_err err;
    bw_err_clear(&err);
    int rc = bw_boot_create_account(srv, name, email, &err) ? 1 : 0;
    for (int i = 2; !rc && i < argc; i++)
        if (!strcmp(argv[i], "--root-key"))
            rc = print_root_key(srv, email, &err) ? 1 : 0;
    if (rc)
        fprintf(stderr, "bulwark admin create-account: %s\n", err.msg);
    bw_server_free(srv);
    return rc;
}
