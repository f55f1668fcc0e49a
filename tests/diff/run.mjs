// SPDX-License-Identifier: Apache-2.0
// Differential test: the same generated cases through `bulwark policy evaluate` and
// through @cloud-copilot/iam-simulate. Usage: node run.mjs BULWARK [N] [SEED].
// A mismatch is "documented" only when the case exercises one of the oracle deviations
// listed in docs/policy.md (the AWS docs decide those); any other mismatch fails the test,
// as does an oracle that cannot run (so a missing npm install never passes silently).
import { spawnSync } from 'node:child_process'
import { generate } from './gen.mjs'

const [bulwark, nArg, seedArg] = process.argv.slice(2)
const N = Number(nArg || 10000)
const SEED = Number(seedArg || 20261127)
const DOCUMENTED = new Set(['ip0', 'date-mixed', 'escape', 'anyifexists', 'missing-var',
  'var-neg', 'ipv6-noprefix', 'federated', 'session-direct', 'notprincipal', 'ip-family', 'root'])

let sim
try {
  sim = await import('@cloud-copilot/iam-simulate')
} catch (e) {
  console.error('FATAL: @cloud-copilot/iam-simulate is not installed (run tests/diff/run.sh):', e.message)
  process.exit(2)
}

const WORD = { Allowed: 'allowed', ExplicitlyDenied: 'explicitDeny', ImplicitlyDenied: 'implicitDeny' }

function toSimulation(c) {
  const rq = c.request
  const org = (levels, prefix) => (levels || []).map((lv, i) => ({
    orgIdentifier: i === 0 ? 'r-ab12' : `ou-ab12-${prefix}${String(i).padStart(7, '0')}`,
    policies: lv.map((p, j) => ({ name: `${prefix}${i}-${j}`, policy: p })),
  }))
  const s = {
    request: {
      principal: rq.principal.type === 'anonymous' ? sim.anonymousPrincipal : rq.principal.arn,
      action: rq.action,
      resource: { resource: rq.resource.arn, accountId: rq.resource.account },
      contextVariables: rq.context,
    },
    identityPolicies: c.identity_policies.map((p, i) => ({ name: `identity${i}`, policy: p })),
    serviceControlPolicies: org(c.scps, 'scp'),
    resourceControlPolicies: org(c.rcps, 'rcp'),
  }
  if (c.resource_policy) s.resourcePolicy = c.resource_policy
  if (c.permission_boundaries) s.permissionBoundaryPolicies = c.permission_boundaries.map((p, i) => ({ name: `pb${i}`, policy: p }))
  if (c.session_policies) s.sessionPolicy = c.session_policies[0]
  return s
}

const cases = generate(SEED, N)
const t0 = Date.now()
const expected = []
let oracleErrors = 0
for (const k of cases) {
  const res = await sim.runSimulation(toSimulation(k.case), {})
  if (res.resultType === 'error') {
    oracleErrors++
    expected.push(null)
    if (oracleErrors <= 3) console.error('oracle rejected case', k.id, JSON.stringify(res.errors).slice(0, 400))
    continue
  }
  // The request context is what the service supplies: keys the action does not support
  // (per iam-data) are dropped by the oracle, so drop them from our copy too.
  for (const key of res.result?.ignoredContextKeys || []) delete k.case.request.context[key]
  expected.push(WORD[res.overallResult])
}
const tOracle = Date.now() - t0
const input = cases.map((k) => JSON.stringify(k.case)).join('\n') + '\n'
const t1 = Date.now()
const run = spawnSync(bulwark, ['policy', 'evaluate'], { input, maxBuffer: 1 << 30 })
const tOurs = Date.now() - t1
if (run.status !== 0) {
  console.error('FATAL: bulwark policy evaluate exited', run.status, String(run.stderr).slice(0, 2000))
  process.exit(2)
}
const lines = String(run.stdout).trim().split('\n')
if (lines.length !== cases.length) {
  console.error(`FATAL: ${lines.length} output lines for ${cases.length} cases`)
  process.exit(2)
}
let compared = 0, same = 0, documented = 0
const byFeature = {}
const sole = {}
const unexplained = []
for (let i = 0; i < cases.length; i++) {
  if (expected[i] === null) continue
  const got = JSON.parse(lines[i])
  compared++
  if (got.decision === expected[i]) { same++; continue }
  const doc = cases[i].features.filter((f) => DOCUMENTED.has(f))
  if (doc.length) {
    if (process.env.SHOWDOC && doc.length === 1 && doc[0] === process.env.SHOWDOC) console.log('documented', doc[0], i, got.decision, expected[i])
    if (doc.length === 1) sole[doc[0]] = (sole[doc[0]] || 0) + 1
    documented++
    for (const f of doc) byFeature[f] = (byFeature[f] || 0) + 1
    continue
  }
  unexplained.push({ id: i, ours: got.decision, oracle: expected[i], error: got.error, features: cases[i].features, case: cases[i].case })
}
console.log(`cases=${N} seed=${SEED} compared=${compared} agree=${same} documented_deviations=${documented} unexplained=${unexplained.length} oracle_rejected=${oracleErrors}`)
console.log(`documented deviations by feature: ${JSON.stringify(byFeature)}`)
console.log(`... of which with a single documented feature: ${JSON.stringify(sole)}`)
console.log(`time: iam-simulate ${tOracle} ms, bulwark ${tOurs} ms`)
for (const u of unexplained.slice(0, Number(process.env.SHOW || 5))) console.log(JSON.stringify(u))
if (oracleErrors > N * 0.02) { console.error('FAIL: the oracle rejected too many cases'); process.exit(1) }
if (compared < 10000 && N >= 10000) { console.error('FAIL: fewer than 10000 cases compared'); process.exit(1) }
process.exit(unexplained.length ? 1 : 0)
