/* SPDX-License-Identifier: Apache-2.0 */
/*
 * bulwark: the command line. `bulwark GROUP ...` hands off to the group's
 * entry point (src/cmd/cli_<group>.c).
 */
#include "cmd/cli.h"

#include <stdio.h>
#include <string.h>

#pragma weak bw_cli_init
#pragma weak bw_cli_admin
#pragma weak bw_cli_policy
#pragma weak bw_cli_trail
#pragma weak bw_cli_edge

struct group {
    const char *name;
    int (*fn)(int argc, char **argv);
    const char *help;
};

static void usage(FILE *f, const struct group *g, size_t n)
{
    fputs("usage: bulwark GROUP [ARGS...]\n\ngroups:\n", f);
    for (size_t i = 0; i < n; i++)
        fprintf(f, "  %-8s %s\n", g[i].name, g[i].help);
}

int main(int argc, char **argv)
{
    const struct group groups[] = {
        {"init", bw_cli_init, "create the data dir, management account and admin user"},
        {"admin", bw_cli_admin, "administer accounts (create-account)"},
        {"policy", bw_cli_policy, "validate and evaluate IAM policies"},
        {"trail", bw_cli_trail, "validate, look up, tail and summarise the audit trail"},
        {"edge", bw_cli_edge, "analyse captures with the Shield detector"},
    };
    size_t n = sizeof groups / sizeof groups[0];
    if (argc < 2 || strcmp(argv[1], "-h") == 0 || strcmp(argv[1], "--help") == 0) {
        usage(argc < 2 ? stderr : stdout, groups, n);
        return argc < 2 ? 2 : 0;
    }
    for (size_t i = 0; i < n; i++) {
        if (strcmp(argv[1], groups[i].name) != 0)
            continue;
        if (!groups[i].fn) {
            fprintf(stderr, "bulwark: '%s' is not built into this binary\n", argv[1]);
            return 2;
        }
        return groups[i].fn(argc - 1, argv + 1);
    }
    fprintf(stderr, "bulwark: unknown group '%s'\n", argv[1]);
    usage(stderr, groups, n);
    return 2;
}
