/* SPDX-License-Identifier: Apache-2.0 */
/*
 * The `bulwark` command's groups. Each group lives in src/cmd/cli_<group>.c and
 * receives argv with argv[0] = the group name. Returns the process exit status.
 * A group whose file is not built is reported as unavailable (weak symbols).
 */
#ifndef BW_CMD_CLI_H
#define BW_CMD_CLI_H

int bw_cli_init(int argc, char **argv);
int bw_cli_admin(int argc, char **argv);
int bw_cli_policy(int argc, char **argv);
int bw_cli_trail(int argc, char **argv);
int bw_cli_edge(int argc, char **argv);

#endif
