/* SPDX-License-Identifier: Apache-2.0 */
/* IAM access keys: CreateAccessKey. At most two keys per user (IAM quotas). */
#include "svc/iam/internal.h"

#include <string.h>

enum bw_code bw_iam__create_access_key(struct bw_call *c, struct bw_err *err)
{
    const char *user = bw_q_get(c, "UserName");
    const char *account = c->principal->account_id;
    if (!user)
        user = c->principal->user_name; /* NULL for the root user: a root key */
    if (user && bw_iam__check_name("userName", user, 128, err))
        return err->code;
    bool row;
    if (user) {
        sqlite3_stmt *st = bw_db_prep(c->db, "SELECT 1 FROM iam_users WHERE account_id=? AND name=?",
                                      err, "ss", account, user);
        if (!st || bw_db_step(c->db, st, &row, err))
            return err->code;
        if (!row)
            return bw_fail(err, BW_E_IAM_NO_SUCH_ENTITY,
                           "The user with name %s cannot be found.", user);
    }
    sqlite3_stmt *st = bw_db_prep(c->db,
                                  "SELECT count(*) FROM iam_access_keys WHERE account_id = ?"
                                  " AND user_name IS ?",
                                  err, "ss", account, user);
    if (!st || bw_db_step(c->db, st, &row, err))
        return err->code;
    if (sqlite3_column_int(st, 0) >= 2)
        return bw_fail(err, BW_E_IAM_LIMIT_EXCEEDED,
                       "Cannot exceed quota for AccessKeysPerUser: 2");
    const char *akid, *secret;
    if (bw_iam_access_key_create(c->db, bw_server_secrets(c->srv), c->arena, account, user,
                                 c->now_ms, &akid, &secret, err))
        return err->code;
    bw_xml_open(&c->xml, "AccessKey");
    bw_xml_elem(&c->xml, "UserName", user);
    bw_xml_elem(&c->xml, "AccessKeyId", akid);
    bw_xml_elem(&c->xml, "Status", "Active");
    bw_xml_elem(&c->xml, "SecretAccessKey", secret);
    bw_xml_elem_time(&c->xml, "CreateDate", c->now_ms);
    bw_xml_close(&c->xml, "AccessKey");
    c->trail_response = json_pack("{s:{s:s?,s:s,s:s}}", "accessKey", "userName", user,
                                  "accessKeyId", akid, "status", "Active");
    bw_arena_defer(c->arena, (bw_arena_fn)json_decref, c->trail_response);
    return BW_OK;
}
