/* SPDX-License-Identifier: Apache-2.0 */
/* The migrations compiled in from src/store/migrations/ (generated: migrations_gen.c). */
#ifndef BW_STORE_MIGRATIONS_H
#define BW_STORE_MIGRATIONS_H
#include <stddef.h>

struct bw_migration {
    const char *name;
    const char *sql;
};

extern const struct bw_migration bw_migrations[];
extern const size_t bw_migrations_n;

#endif
