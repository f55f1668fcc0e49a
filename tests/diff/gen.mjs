// SPDX-License-Identifier: Apache-2.0
// Generates policy-evaluation cases with a fixed seed, biased toward the parts of the
// IAM evaluation logic that implementations get wrong (SCP levels, negated operators,
// absent keys, set operators, policy variables, CIDRs, dates, cross-account grants).
// Each case carries `features`: the documented oracle deviations it may exercise
// (see docs/policy.md, "Differential test"), used only to classify mismatches.

export function rng(seed) {
  let a = seed >>> 0
  return () => {
    a = (a + 0x6d2b79f5) >>> 0
    let t = a
    t = Math.imul(t ^ (t >>> 15), t | 1)
    t ^= t + Math.imul(t ^ (t >>> 7), t | 61)
    return ((t ^ (t >>> 14)) >>> 0) / 4294967296
  }
}

const A = '111122223333'
const B = '444455556666'

const PRINCIPALS = [
  { arn: `arn:aws:iam::${A}:user/alice`, account: A, type: 'user', username: 'alice' },
  { arn: `arn:aws:iam::${A}:user/dev/bob`, account: A, type: 'user', username: 'bob' },
  { arn: `arn:aws:sts::${A}:assumed-role/AppRole/sess1`, account: A, type: 'assumed-role',
    issuer_arn: `arn:aws:iam::${A}:role/AppRole` },
  { arn: `arn:aws:iam::${B}:user/carol`, account: B, type: 'user', username: 'carol' },
  { arn: `arn:aws:sts::${B}:assumed-role/XRole/s2`, account: B, type: 'assumed-role',
    issuer_arn: `arn:aws:iam::${B}:role/XRole` },
  { arn: `arn:aws:sts::${A}:federated-user/fed`, account: A, type: 'federated' },
  { arn: `arn:aws:iam::${A}:root`, account: A, type: 'root' },
  { arn: '', account: '', type: 'anonymous' },
  { arn: 'sns.amazonaws.com', account: '', type: 'service' },
]

const ACTIONS = [
  { action: 's3:GetObject', res: (acct) => ['arn:aws:s3:::bkt/alice/doc.txt', 'arn:aws:s3:::bkt/bob/a.txt', 'arn:aws:s3:::bkt/shared/x/y.txt'], rp: true },
  { action: 's3:PutObject', res: () => ['arn:aws:s3:::bkt/alice/doc.txt', 'arn:aws:s3:::other/k'], rp: true },
  { action: 's3:ListBucket', res: () => ['arn:aws:s3:::bkt', 'arn:aws:s3:::other'], rp: true },
  { action: 'sqs:SendMessage', res: (acct) => [`arn:aws:sqs:us-east-1:${acct}:queue1`, `arn:aws:sqs:eu-west-1:${acct}:jobs`], rp: true },
  { action: 'dynamodb:GetItem', res: (acct) => [`arn:aws:dynamodb:us-east-1:${acct}:table/Orders`, `arn:aws:dynamodb:us-west-2:${acct}:table/Users`] },
  { action: 'ec2:TerminateInstances', res: (acct) => [`arn:aws:ec2:us-east-1:${acct}:instance/i-0abc`] },
  { action: 'iam:GetUser', res: (acct) => [`arn:aws:iam::${acct}:user/alice`, `arn:aws:iam::${acct}:user/dev/bob`] },
]

const ACTION_PATTERNS = {
  's3:GetObject': ['s3:GetObject', 's3:getobject', 'S3:GETOBJECT', 's3:Get*', 's3:*Object', 's3:?etObject', 's3:*', '*', 's3:Get?bject', 's3:GetObjec'],
  's3:PutObject': ['s3:PutObject', 's3:put*', 's3:*', '*', 's3:*Object'],
  's3:ListBucket': ['s3:ListBucket', 's3:List*', 's3:*', 's3:ListBucket*'],
  'sqs:SendMessage': ['sqs:SendMessage', 'sqs:Send*', 'sqs:*', 'SQS:sendmessage'],
  'dynamodb:GetItem': ['dynamodb:GetItem', 'dynamodb:Get*', 'dynamodb:*'],
  'ec2:TerminateInstances': ['ec2:TerminateInstances', 'ec2:*', 'ec2:Terminate*'],
  'iam:GetUser': ['iam:GetUser', 'iam:Get*', 'iam:*'],
}

const OTHER_ACTIONS = ['s3:DeleteObject', 'ec2:RunInstances', 'sqs:ReceiveMessage', 'iam:*', 'kms:Decrypt']

function resourcePatterns(arn, acct) {
  const out = [arn, '*']
  const parts = arn.split(':')
  if (arn.startsWith('arn:aws:s3:::')) {
    out.push('arn:aws:s3:::bkt/*', 'arn:aws:s3:::bkt*', 'arn:aws:s3:::bkt/${aws:username}/*',
      'arn:aws:s3:::bkt/?lice/*', 'arn:aws:s3:::*/alice/*', 'arn:aws:s3:::bkt', 'arn:aws:s3:::bkt/*/doc.txt',
      'arn:aws:s3:::bkt/${aws:PrincipalTag/team}/*', 'arn:aws:s3:::BKT/*')
  } else {
    out.push(`${parts[0]}:${parts[1]}:${parts[2]}:*:${acct}:${parts.slice(5).join(':')}`,
      `${parts[0]}:${parts[1]}:${parts[2]}:us-east-1:*:*`,
      `${parts[0]}:${parts[1]}:${parts[2]}:*:*:*`,
      `arn:aws:${parts[2]}:*:${acct}:*`,
      `${arn}*`, `${arn.slice(0, -1)}?`,
      `arn:aws:*:*:${acct}:*`)
    if (arn.includes(':user/')) out.push(`arn:aws:iam::${acct}:user/\${aws:username}`, `arn:aws:iam::${acct}:user/*`)
  }
  return out
}

// Condition key specs: name, kind, request value generators, policy value generators.
const IPV4 = ['10.1.2.3', '192.168.1.10', '203.0.113.5']
const IPV6 = ['2001:db8::1', '2001:0DB8:0000:0000:0000:0000:0000:0001', 'fe80::1']
const CIDR4 = ['10.0.0.0/8', '10.1.2.3/32', '10.1.2.3', '192.168.0.0/16', '192.168.1.0/24', '203.0.113.0/25', '10.1.2.0/23']
const CIDR6 = ['2001:db8::/32', '2001:DB8::/64', 'fe80::/10', '2001:db9::/32']

const KEYS = [
  { key: 'aws:SourceIp', kind: 'ip', req: (r) => (r() < 0.75 ? pick(r, IPV4) : pick(r, IPV6)) },
  { key: 'aws:CurrentTime', kind: 'date', req: (r) => pick(r, ['2024-06-01T12:00:00Z', '2023-01-01T00:00:00Z', '2025-12-31T23:59:59Z']) },
  { key: 'aws:EpochTime', kind: 'epoch', req: (r) => pick(r, ['1717243200', '1672531200', '1767225599']) },
  { key: 'aws:SecureTransport', kind: 'bool', req: (r) => pick(r, ['true', 'false']) },
  { key: 'aws:MultiFactorAuthPresent', kind: 'bool', req: (r) => pick(r, ['true', 'false']) },
  { key: 'aws:MultiFactorAuthAge', kind: 'num', req: (r) => pick(r, ['100', '3600', '7200', '0']) },
  { key: 'aws:PrincipalTag/team', kind: 'str', req: (r) => pick(r, ['red', 'blue', 'Red']) },
  { key: 'aws:RequestTag/env', kind: 'str', req: (r) => pick(r, ['prod', 'dev', 'Prod', 'prod-eu']) },
  { key: 'aws:ResourceTag/owner', kind: 'str', req: (r) => pick(r, ['alice', 'bob', 'ALICE']) },
  { key: 'aws:PrincipalOrgID', kind: 'str', req: (r) => pick(r, ['o-abc123', 'o-xyz789']) },
  { key: 'aws:TagKeys', kind: 'multi', req: (r) => subset(r, ['env', 'team', 'cost', 'Owner']) },
  { key: 'aws:PrincipalOrgPaths', kind: 'multi', req: (r) => subset(r, ['o-abc123/r-ab12/ou-ab12-11111111/', 'o-abc123/r-ab12/ou-ab12-22222222/']) },
  { key: 'aws:SourceArn', kind: 'arn', req: (r) => pick(r, [`arn:aws:sns:us-east-1:${A}:topic1`, `arn:aws:s3:::bkt`, `arn:aws:lambda:us-east-1:${B}:function:f`]) },
  { key: 'aws:SourceAccount', kind: 'str', req: (r) => pick(r, [A, B]) },
]

const OPS = {
  str: ['StringEquals', 'StringNotEquals', 'StringEqualsIgnoreCase', 'StringNotEqualsIgnoreCase', 'StringLike', 'StringNotLike'],
  multi: ['StringEquals', 'StringNotEquals', 'StringLike', 'StringNotLike', 'StringEqualsIgnoreCase'],
  num: ['NumericEquals', 'NumericNotEquals', 'NumericLessThan', 'NumericLessThanEquals', 'NumericGreaterThan', 'NumericGreaterThanEquals'],
  date: ['DateEquals', 'DateNotEquals', 'DateLessThan', 'DateLessThanEquals', 'DateGreaterThan', 'DateGreaterThanEquals'],
  epoch: ['DateEquals', 'DateNotEquals', 'DateLessThan', 'DateGreaterThan', 'NumericLessThan', 'NumericGreaterThanEquals'],
  bool: ['Bool'],
  ip: ['IpAddress', 'NotIpAddress'],
  arn: ['ArnEquals', 'ArnLike', 'ArnNotEquals', 'ArnNotLike', 'StringLike'],
}

function pick(r, xs) { return xs[Math.floor(r() * xs.length)] }
function subset(r, xs) { return xs.filter(() => r() < 0.45) }

function policyValues(r, spec, op, feats) {
  const n = 1 + Math.floor(r() * (r() < 0.7 ? 1 : 3))
  const vals = []
  for (let i = 0; i < n; i++) vals.push(policyValue(r, spec, op, feats))
  return vals.length === 1 && r() < 0.6 ? vals[0] : vals
}

function policyValue(r, spec, op, feats) {
  switch (spec.kind) {
    case 'ip': {
      const x = r()
      if (x < 0.05) { feats.add('ip0'); return pick(r, ['0.0.0.0/0', '::/0']) }
      if (x < 0.7) return pick(r, CIDR4)
      const v = pick(r, CIDR6.concat(['2001:db8::1']))
      if (!v.includes('/')) feats.add('ipv6-noprefix')
      return v
    }
    case 'date': {
      if (r() < 0.1) { feats.add('date-mixed'); return pick(r, ['1717243200', '1700000000']) }
      return pick(r, ['2024-06-01T12:00:00Z', '2024-01-01T00:00:00Z', '2024-06-01', '2025-01-01T00:00:00+01:00', '2023-01-01T00:00:00.000Z'])
    }
    case 'epoch': {
      if (op.startsWith('Date') && r() < 0.3) { feats.add('date-mixed'); return pick(r, ['2024-06-01T12:00:00Z', '2023-06-01T00:00:00Z']) }
      if (op.startsWith('Date')) feats.add('date-epoch')
      return pick(r, ['1717243200', '1700000000', '1767225599'])
    }
    case 'num': return pick(r, ['3600', '100', '3600.0', '0', '7200', '-1'])
    case 'bool': return pick(r, ['true', 'false', 'True'])
    case 'arn': return pick(r, [`arn:aws:sns:us-east-1:${A}:topic1`, `arn:aws:sns:*:${A}:*`, 'arn:aws:s3:::bkt', 'arn:aws:s3:::*', `arn:aws:lambda:*:${B}:function:*`, `arn:aws:*:*:${A}:*`, 'arn:aws:sns:us-east-1:*:topic?'])
    case 'multi': {
      if (spec.key === 'aws:PrincipalOrgPaths') return pick(r, ['o-abc123/r-ab12/ou-ab12-11111111/', 'o-abc123/r-ab12/*', 'o-abc123/*/ou-ab12-22222222/*'])
      return pick(r, ['env', 'team', 'cost', 'owner', 'e*', 't?am'])
    }
    default: {
      const x = r()
      if (x < 0.12) {
        const v = pick(r, ['${aws:username}', '${aws:PrincipalTag/team}', '${aws:PrincipalTag/team}*', '${aws:RequestTag/env}', "${aws:PrincipalTag/nope, 'red'}", '${aws:PrincipalTag/nope}'])
        feats.add('var')
        if (v.includes('nope}') || v.includes('RequestTag')) feats.add('missing-var')
        if (v.includes("'red'")) feats.add('var-default')
        return v
      }
      if (x < 0.16) { feats.add('escape'); return pick(r, ['${*}', 'pro${?}', 're${$}d']) }
      const base = {
        'aws:PrincipalTag/team': ['red', 'blue', 'RED', 'r*', 're?', '*'],
        'aws:RequestTag/env': ['prod', 'dev', 'PROD', 'prod*', 'p?od', '*'],
        'aws:ResourceTag/owner': ['alice', 'bob', 'ALICE', 'a*'],
        'aws:PrincipalOrgID': ['o-abc123', 'o-*', 'o-xyz789'],
        'aws:SourceAccount': [A, B, '1111*'],
      }[spec.key] || ['x']
      return pick(r, base)
    }
  }
}

function condition(r, feats, stmtKeys) {
  const cond = {}
  const nkeys = 1 + (r() < 0.3 ? 1 : 0) + (r() < 0.1 ? 1 : 0)
  for (let k = 0; k < nkeys; k++) {
    const spec = pick(r, KEYS)
    stmtKeys.add(spec.key)
    let op
    const y = r()
    if (y < 0.06) op = 'Null'
    else op = pick(r, OPS[spec.kind])
    let name = op
    if (op !== 'Null' && r() < 0.2) { name += 'IfExists'; feats.add('ifexists') }
    if (spec.kind === 'multi' || (op !== 'Null' && r() < 0.05)) {
      const q = r() < 0.5 ? 'ForAnyValue:' : 'ForAllValues:'
      if (op === 'Null') name = op
      else { name = q + name; if (q === 'ForAnyValue:' && name.endsWith('IfExists')) feats.add('anyifexists'); feats.add('setop') }
    }
    const vals = op === 'Null' ? pick(r, ['true', 'false']) : policyValues(r, spec, op, feats)
    cond[name] = cond[name] || {}
    cond[name][spec.key] = vals
    if (/Not|NotIp/.test(op) && JSON.stringify(vals).includes('${')) feats.add('var-neg')
  }
  return cond
}

let sidCounter = 0
function statement(r, act, resArn, acct, kind, feats, principalChoices, keys) {
  const st = {}
  if (r() < 0.3) st.Sid = 'S' + (sidCounter++)
  st.Effect = r() < (kind === 'scp' || kind === 'rcp' ? 0.5 : 0.75) ? 'Allow' : 'Deny'
  const pats = ACTION_PATTERNS[act.action]
  const acts = []
  const na = 1 + (r() < 0.3 ? 1 : 0)
  for (let i = 0; i < na; i++) acts.push(r() < 0.8 ? pick(r, pats) : pick(r, OTHER_ACTIONS))
  if (kind === 'rcp') for (let i = 0; i < acts.length; i++) if (acts[i] === '*') acts[i] = act.action.split(':')[0] + ':*'
  const aval = acts.length === 1 && r() < 0.5 ? acts[0] : acts
  if (r() < 0.1 && kind !== 'rcp') st.NotAction = aval; else st.Action = aval
  if (kind !== 'trust') {
    const rp = resourcePatterns(resArn, acct)
    const rs = [pick(r, rp)]
    if (r() < 0.2) rs.push(pick(r, rp))
    if (rs.some((x) => x.includes('${'))) feats.add('var')
    const rv = rs.length === 1 && r() < 0.5 ? rs[0] : rs
    if (r() < 0.08) st.NotResource = rv; else st.Resource = rv
  }
  if (kind === 'resource') {
    const p = pick(r, principalChoices)
    if (r() < 0.08 && p !== '*' && st.Effect === 'Deny') { st.NotPrincipal = p; feats.add('notprincipal') } else st.Principal = p
  }
  if (kind === 'rcp') st.Principal = '*'
  if (r() < (kind === 'scp' || kind === 'rcp' ? 0.4 : 0.45)) st.Condition = condition(r, feats, keys)
  return st
}

function policy(r, act, resArn, acct, kind, feats, principalChoices, keys, nmax = 3) {
  const n = 1 + Math.floor(r() * nmax)
  const stmts = []
  for (let i = 0; i < n; i++) stmts.push(statement(r, act, resArn, acct, kind, feats, principalChoices, keys))
  const doc = { Version: '2012-10-17', Statement: stmts.length === 1 && r() < 0.4 ? stmts[0] : stmts }
  if (kind === 'rcp') {
    // RCP Allow statements are never needed (RCPFullAWSAccess is implied); keep denies.
    for (const s of stmts) s.Effect = 'Deny'
  }
  return doc
}

const ALLOW_ALL = { Version: '2012-10-17', Statement: [{ Effect: 'Allow', Action: '*', Resource: '*' }] }

export function generate(seed, n) {
  const r = rng(seed)
  const out = []
  for (let i = 0; i < n; i++) out.push(genCase(r, i))
  return out
}

function genCase(r, idx) {
  const feats = new Set()
  const keys = new Set()
  let principal = pick(r, PRINCIPALS)
  if (principal.type === 'federated') {
    if (r() < 0.5) principal = PRINCIPALS[0]
    else feats.add('federated')
  }
  if (principal.type === 'root') feats.add('root')
  const outside = principal.type === 'anonymous' || principal.type === 'service'
  let act = pick(r, ACTIONS)
  while (outside && !act.rp) act = pick(r, ACTIONS)
  const resAcct = outside ? A : act.rp && r() < 0.35 ? (principal.account === A ? B : A) : (r() < 0.85 ? principal.account : (principal.account === A ? B : A))
  const resArn = pick(r, act.res(resAcct))
  const c = { identity_policies: [], is_management_account: false }
  const nid = outside ? 0 : Math.floor(r() * 3) + (r() < 0.8 ? 1 : 0)
  for (let i = 0; i < nid; i++) c.identity_policies.push(policy(r, act, resArn, resAcct, 'identity', feats, null, keys))
  if (!outside && r() < 0.2) c.permission_boundaries = [policy(r, act, resArn, resAcct, 'identity', feats, null, keys, 2)]
  const sessionOk = principal.type === 'assumed-role' || principal.type === 'federated'
  if (sessionOk && (r() < 0.25 || (principal.type === 'federated' && r() < 0.5))) c.session_policies = [policy(r, act, resArn, resAcct, 'identity', feats, null, keys, 2)]
  if (!outside && r() < 0.5) {
    const levels = 1 + Math.floor(r() * 4)
    c.scps = []
    for (let l = 0; l < levels; l++) {
      const lv = []
      if (r() < 0.85) lv.push(ALLOW_ALL)
      if (r() < 0.5) lv.push(policy(r, act, resArn, resAcct, 'scp', feats, null, keys, 2))
      if (lv.length === 0 && r() < 0.7) lv.push(policy(r, act, resArn, resAcct, 'scp', feats, null, keys, 2))
      if (lv.length === 0) lv.push({ Version: '2012-10-17', Statement: [{ Effect: 'Allow', Action: 'ec2:Describe*', Resource: '*' }] })
      c.scps.push(lv)
    }
  }
  if (r() < 0.25) {
    c.rcps = []
    const levels = 1 + Math.floor(r() * 3)
    for (let l = 0; l < levels; l++) c.rcps.push(r() < 0.6 ? [policy(r, act, resArn, resAcct, 'rcp', feats, null, keys, 2)] : [])
  }
    const rpc = 0
  const principalChoices = ['*', { AWS: '*' }, outside ? { AWS: A } : { AWS: principal.arn }, outside ? { AWS: B } : { AWS: principal.account },
    { AWS: `arn:aws:iam::${principal.account}:root` }, { AWS: `arn:aws:iam::${A}:role/AppRole` },
    { AWS: [`arn:aws:iam::${B}:user/carol`, `arn:aws:iam::${A}:user/alice`] },
    { AWS: `arn:aws:sts::${A}:assumed-role/AppRole/sess1` }, { Service: 'sns.amazonaws.com' },
    { Service: 'sqs.amazonaws.com' }]
  if (act.rp && (outside || r() < 0.55)) {
    c.resource_policy = policy(r, act, resArn, resAcct, 'resource', feats, principalChoices, keys)
    if (c.session_policies && principal.type === 'assumed-role') feats.add('session-direct')
  }
  const context = outside ? {} : {
    'aws:username': principal.username,
    'aws:PrincipalArn': principal.type === 'assumed-role' ? principal.issuer_arn : principal.arn,
    'aws:PrincipalAccount': principal.account,
  }
  if (!principal.username) delete context['aws:username']
  const tags = {}
  for (const spec of KEYS) {
    if (r() < 0.7 || (keys.has(spec.key) && r() < 0.5)) {
      const v = spec.req(r)
      if (Array.isArray(v) && v.length === 1 && r() < 0.5) continue
      if (spec.key.startsWith('aws:PrincipalTag/')) tags[spec.key.slice(17)] = v
      context[spec.key] = v
    }
  }
  const request = {
    principal: { arn: principal.arn, account: principal.account, type: principal.type, tags },
    action: act.action,
    resource: { arn: resArn, account: resAcct },
    context,
  }
  if (principal.issuer_arn) request.principal.issuer_arn = principal.issuer_arn
  c.request = request
  const text = JSON.stringify(c)
  const missing = (v, key) => text.includes(v) && context[key] === undefined
  if (missing('${aws:username}', 'aws:username') || missing('${aws:PrincipalTag/team}', 'aws:PrincipalTag/team') ||
      missing('${aws:RequestTag/env}', 'aws:RequestTag/env')) feats.add('missing-var')
  const src = context['aws:SourceIp']
  if (src && text.includes('NotIpAddress')) {
    const v6 = src.includes(':')
    if ((v6 && /"\d+\.\d+\.\d+\.\d+/.test(text)) || (!v6 && /"[0-9a-fA-F]*::|"2001:/.test(text))) feats.add('ip-family')
  }
  return { id: idx, features: [...feats], case: c }
}

export { ALLOW_ALL }
