/* SPDX-License-Identifier: Apache-2.0 */
/*
 * First start: the data dir, the management account, the `admin` user with
 * AdministratorAccess and its access key, and data/credentials + data/config in
 * the AWS CLI's file format (profile `bulwark`, mode 0600). Also the standalone
 * account creation behind `bulwark admin create-account`.
 */
#ifndef BW_CMD_BOOT_H
#define BW_CMD_BOOT_H

#include <stdbool.h>

#include "proto/proto.h"

/* Registers every service and hook with srv. */
void bw_boot_register(struct bw_server *srv);
/* Seeds managed policies and, when no account exists yet, creates the first one and
 * writes the credential files; *created says whether it did. `endpoint` goes into the
 * printed hint. */
enum bw_code bw_boot_init(struct bw_server *srv, const char *endpoint, bool *created,
                          struct bw_err *err);
/* Creates a standalone account with an admin user; prints its credentials once. */
enum bw_code bw_boot_create_account(struct bw_server *srv, const char *name, const char *email,
                                    struct bw_err *err);

#endif
