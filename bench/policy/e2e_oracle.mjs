// SPDX-License-Identifier: Apache-2.0
// Benchmark (a), peer side: the same JSON lines through @cloud-copilot/iam-simulate, one
// at a time, parse included. Usage: node e2e_oracle.mjs CASES.jsonl. Prints cases/s.
import { readFileSync } from 'node:fs'
import { fileURLToPath } from 'node:url'
import path from 'node:path'

const here = path.dirname(fileURLToPath(import.meta.url))
const sim = await import(path.join(here, '../../tests/diff/node_modules/@cloud-copilot/iam-simulate/dist/esm/index.js'))
const lines = readFileSync(process.argv[2], 'utf8').trim().split('\n')
const org = (levels, p) => (levels || []).map((lv, i) => ({ orgIdentifier: i ? `ou-ab12-${p}${String(i).padStart(7, '0')}` : 'r-ab12', policies: lv.map((x, j) => ({ name: `${p}${i}-${j}`, policy: x })) }))
const t0 = process.hrtime.bigint()
let allowed = 0
for (const line of lines) {
  const c = JSON.parse(line)
  const s = {
    request: { principal: c.request.principal.arn, action: c.request.action, resource: { resource: c.request.resource.arn, accountId: c.request.resource.account }, contextVariables: c.request.context },
    identityPolicies: c.identity_policies.map((p, i) => ({ name: `i${i}`, policy: p })),
    serviceControlPolicies: org(c.scps, 'scp'), resourceControlPolicies: org(c.rcps, 'rcp'),
  }
  if (c.resource_policy) s.resourcePolicy = c.resource_policy
  if (c.permission_boundaries) s.permissionBoundaryPolicies = c.permission_boundaries.map((p, i) => ({ name: `pb${i}`, policy: p }))
  if (c.session_policies) s.sessionPolicy = c.session_policies[0]
  const r = await sim.runSimulation(s, {})
  if (r.overallResult === 'Allowed') allowed++
}
const sec = Number(process.hrtime.bigint() - t0) / 1e9
console.log(`iam-simulate: cases=${lines.length} seconds=${sec.toFixed(3)} cases_per_second=${(lines.length / sec).toFixed(0)} allowed=${allowed}`)
