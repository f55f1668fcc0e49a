/* SPDX-License-Identifier: Apache-2.0 */
/* The libFuzzer entry point every target in tests/fuzz defines. */
#ifndef BW_TESTS_FUZZ_H
#define BW_TESTS_FUZZ_H
#include <stddef.h>
#include <stdint.h>

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size);

#endif
