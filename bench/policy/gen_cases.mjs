// SPDX-License-Identifier: Apache-2.0
// Writes N generated cases (tests/diff/gen.mjs, fixed seed) as JSON lines on stdout.
import { generate } from '../../tests/diff/gen.mjs'
const n = Number(process.argv[2] || 5000)
process.stdout.write(generate(Number(process.argv[3] || 42), n).map((k) => JSON.stringify(k.case)).join('\n') + '\n')
