import { describe, expect, it } from 'vitest';
import { compileNetworks } from '../networks.ts';
import { decideAccess, explainAccess } from './decide.ts';
import { formatRuleError, parseRule, parseRules } from './parse-rule.ts';
import { compileRuleSet } from './rule-set.ts';
import { testCatalogue } from '../../../test/support/rule-builder.ts';
import type { AccessRule, ProvenIdentity, RuleField } from './types.ts';

const networks = compileNetworks({
  intranet: ['10.0.0.0/8', 'fd00::/8'],
  office: ['10.1.0.0/16'],
  home: ['192.168.0.0/16'],
});

function rule(line: string): AccessRule {
  const parsed = parseRule(line, testCatalogue, networks);
  if (!parsed.ok) throw new Error(`${line}: ${formatRuleError(parsed)}`);
  return parsed.rule;
}

const setOf = (...lines: string[]) => compileRuleSet(lines.map(rule), networks);

describe('the options field: every form', () => {
  it.each<[string, Partial<AccessRule>]>([
    ['/bk01/=ALL;;', { from: null, reauthSeconds: null, newDevice: null, line: '/bk01/=ALL;;' }],
    [
      '/bk01/=ALL;;;from=intranet',
      { from: { network: 'intranet', negated: false }, line: '/bk01/=ALL;;;from=intranet' },
    ],
    ['/bk01/=ALL;;SMSOTP;from=!intranet', { from: { network: 'intranet', negated: true } }],
    ['/bk01/=ALL;;SMSOTP;FROM = ! intranet', { line: '/bk01/=ALL;;SMSOTP;from=!intranet' }],
    ['/bk01/=ALL;;SMSOTP;reauth=90s', { reauthSeconds: 90, line: '/bk01/=ALL;;SMSOTP;reauth=90s' }],
    ['/bk01/=ALL;;SMSOTP;reauth=15m', { reauthSeconds: 900 }],
    ['/bk01/=ALL;;SMSOTP;reauth=8h', { reauthSeconds: 28_800 }],
    ['/bk01/=ALL;;SMSOTP;reauth=1s', { reauthSeconds: 1 }],
    ['/bk01/=ALL;;SMSOTP;reauth=015M', { reauthSeconds: 900, line: '/bk01/=ALL;;SMSOTP;reauth=15m' }],
    ['/bk01/=ALL;;;newdevice=SMSOTP', { newDevice: ['SMSOTP'] }],
    [
      '/bk01/=ALL;;;newdevice=smsotp|push',
      { newDevice: ['SMSOTP', 'MAMORU'], line: '/bk01/=ALL;;;newdevice=SMSOTP|MAMORU' },
    ],
    [
      '/bk01/admin/=@admins;;SMSOTP;reauth=15m,from=intranet,newdevice=TOTP',
      {
        from: { network: 'intranet', negated: false },
        reauthSeconds: 900,
        newDevice: ['TOTP'],
        line: '/bk01/admin/=@admins;;SMSOTP;from=intranet,reauth=15m,newdevice=TOTP',
      },
    ],
    [
      '/pub/=ALL;;BYPASS;from=intranet',
      { methods: { kind: 'bypass' }, line: '/pub/=ALL;;BYPASS;from=intranet' },
    ],
  ])('%s', (line, expected) => {
    expect(rule(line)).toMatchObject(expected);
    // The canonical line parses back to itself.
    expect(rule(rule(line).line).line).toBe(rule(line).line);
  });
});

describe('the options field: every malformed option, named in the error', () => {
  it.each<[string, RuleField, string]>([
    ['/bk01/=ALL;;;', 'line', 'options field is empty'],
    ['/bk01/=ALL;;;from=intranet;x', 'line', 'found 5'],
    ['/bk01/=ALL;;;intranet', 'options', '"intranet" is not <option>=<value>'],
    ['/bk01/=ALL;;;from=intranet,,reauth=1m', 'options', 'empty option'],
    ['/bk01/=ALL;;;from=intranet,', 'options', 'empty option'],
    ['/bk01/=ALL;;;via=intranet', 'options', 'unknown option "via"'],
    ['/bk01/=ALL;;;from=', 'from', 'empty'],
    ['/bk01/=ALL;;;from=!', 'from', 'empty'],
    ['/bk01/=ALL;;;from=10.0.0.0/8', 'from', 'invalid network name "10.0.0.0/8"'],
    ['/bk01/=ALL;;;from=overseas', 'from', 'unknown network "overseas" (known: intranet, office, home)'],
    ['/bk01/=ALL;;;from=intranet,from=home', 'from', 'given more than once'],
    ['/bk01/=ALL;;;reauth=', 'reauth', 'is not a duration'],
    ['/bk01/=ALL;;;reauth=15', 'reauth', '"15" is not a duration'],
    ['/bk01/=ALL;;;reauth=15x', 'reauth', 'is not a duration'],
    ['/bk01/=ALL;;;reauth=1.5h', 'reauth', 'is not a duration'],
    ['/bk01/=ALL;;;reauth=-5m', 'reauth', 'is not a duration'],
    ['/bk01/=ALL;;;reauth=1d', 'reauth', 'is not a duration'],
    ['/bk01/=ALL;;;reauth=0s', 'reauth', 'the least is 1s'],
    ['/bk01/=ALL;;;reauth=0m', 'reauth', 'the least is 1s'],
    ['/bk01/=ALL;;;reauth=1m,reauth=2m', 'reauth', 'given more than once'],
    ['/pub/=ALL;;BYPASS;reauth=1m', 'reauth', 'BYPASS'],
    ['/bk01/=ALL;;;newdevice=', 'newdevice', 'empty'],
    ['/bk01/=ALL;;;newdevice=FOO', 'newdevice', 'unknown method "FOO"'],
    ['/bk01/=ALL;;;newdevice=password', 'newdevice', 'the password is implicit'],
    ['/bk01/=ALL;;;newdevice=BYPASS', 'newdevice', 'BYPASS proves nothing'],
    ['/bk01/=ALL;;;newdevice=SMSOTP|SMSOTP', 'newdevice', 'duplicate method'],
    ['/bk01/=ALL;;;newdevice=SMSOTP,TOTP', 'options', '"TOTP" is not <option>=<value>'],
    ['/pub/=ALL;;BYPASS;newdevice=SMSOTP', 'newdevice', 'BYPASS'],
    ['/bk01/=ALL;x=y;;from=intranet', 'line', 'more than one "="'],
  ])('%s → %s', (line, field, message) => {
    const parsed = parseRule(line, testCatalogue, networks);
    expect(parsed).toMatchObject({ ok: false, field });
    if (!parsed.ok) expect(formatRuleError(parsed)).toContain(`${field}: `);
    if (!parsed.ok) expect(parsed.message).toContain(message);
  });

  it('without networks configured, from= says so', () => {
    const parsed = parseRule('/bk01/=ALL;;;from=intranet', testCatalogue);
    expect(parsed).toMatchObject({ ok: false, field: 'from' });
    if (!parsed.ok) expect(parsed.message).toContain('no networks are configured');
  });

  it('a file may hold one rule per prefix and from; a second for the same pair is refused', () => {
    const ok = parseRules(
      '/bk01/=ALL;;;from=intranet\n/bk01/=ALL;;SMSOTP\n/bk01/=ALL;;TOTP;from=!intranet',
      testCatalogue,
      networks,
    );
    expect(ok.ok).toBe(true);
    const twice = parseRules(
      '/bk01/=ALL;;;from=intranet\n/bk01/=ALL;;SMSOTP;from=intranet',
      testCatalogue,
      networks,
    );
    expect(twice).toMatchObject({ ok: false, errors: [{ lineNumber: 2, field: 'path-prefix' }] });
    if (!twice.ok) expect(twice.errors[0]?.message).toContain('/bk01/ from=intranet');
  });
});

describe('precedence: a rule whose from matches beats one without', () => {
  const set = setOf(
    '/bk01/=ALL;;;from=intranet',
    '/bk01/=ALL;;SMSOTP',
    '/bk01/admin/=@admins;;SMSOTP;from=office',
    '/bk01/admin/=@admins;;SMSOTP,TOTP;from=!intranet',
    '/hr/=@hr;;;from=intranet',
    '/=ALL;;SMSOTP',
    'http://intra.example/bk01/=ALL;;TOTP;from=home',
  );
  const lineFor = (path: string, client: string | null, host: string | null = null) =>
    set.match(host, path, client)?.line ?? null;

  it.each<[string, string | null, string | null, string | null]>([
    ['/bk01/x', '10.9.9.9', null, '/bk01/=ALL;;;from=intranet'],
    ['/bk01/x', '::ffff:10.9.9.9', null, '/bk01/=ALL;;;from=intranet'],
    ['/bk01/x', 'fd00::5', null, '/bk01/=ALL;;;from=intranet'],
    ['/bk01/x', '203.0.113.5', null, '/bk01/=ALL;;SMSOTP'],
    ['/bk01/x', null, null, '/bk01/=ALL;;SMSOTP'],
    // The narrower from= (office) is tried before the negated one; both rules are at the same prefix.
    ['/bk01/admin/x', '10.1.2.3', null, '/bk01/admin/=@admins;;SMSOTP;from=office'],
    ['/bk01/admin/x', '203.0.113.5', null, '/bk01/admin/=@admins;;SMSOTP,TOTP;from=!intranet'],
    // Inside the intranet but not the office: no rule of /bk01/admin/ is for this client. Refused,
    // never handed to /bk01/'s rule, which would be weaker.
    ['/bk01/admin/x', '10.200.0.1', null, null],
    ['/hr/pay', '192.168.1.1', null, null],
    ['/hr/pay', '10.0.0.1', null, '/hr/=@hr;;;from=intranet'],
    // A host's slot decides for that host, from= included; other hosts get the generic slot.
    ['/bk01/x', '192.168.1.1', 'intra.example', 'http://intra.example/bk01/=ALL;;TOTP;from=home'],
    ['/bk01/x', '10.0.0.1', 'intra.example', null],
    ['/bk01/x', '10.0.0.1', 'other.example', '/bk01/=ALL;;;from=intranet'],
    ['/other/', '10.0.0.1', null, '/=ALL;;SMSOTP'],
  ])('%s from %s (Host %s) → %s', (path, client, host, expected) => {
    expect(lineFor(path, client, host)).toBe(expected);
  });

  it('lists every variant in evaluation order: from= rules before the rule for every client', () => {
    expect(set.rules.map((r) => r.line).filter((line) => line.startsWith('/bk01/'))).toEqual([
      '/bk01/admin/=@admins;;SMSOTP;from=office',
      '/bk01/admin/=@admins;;SMSOTP,TOTP;from=!intranet',
      '/bk01/=ALL;;;from=intranet',
      '/bk01/=ALL;;SMSOTP',
    ]);
  });

  it('lines without options keep their meaning whoever asks', () => {
    const plain = setOf('/bk01/=ALL;;SMSOTP', '/=ALL;;');
    for (const client of ['10.0.0.1', '203.0.113.1', null])
      expect(plain.match(null, '/bk01/a', client)?.line).toBe('/bk01/=ALL;;SMSOTP');
  });
});

describe('reauth: proofs older than the rule allows are asked again', () => {
  const set = setOf('/pay/=@admins;;SMSOTP;reauth=15m', '/pw/=ALL;;;reauth=90s', '/any/=ALL;;SMSOTP');
  const minute = 60_000;
  const admin = (provenAt: Record<string, number> | undefined): ProvenIdentity => ({
    userId: 'hanako',
    groups: ['admins'],
    proven: ['password', 'SMSOTP'],
    ...(provenAt ? { provenAt } : {}),
  });
  const decide = (path: string, identity: ProvenIdentity, now: number) =>
    decideAccess(set, { host: null, rawPath: path, client: '10.0.0.1' }, identity, testCatalogue, now);

  it.each<[string, Record<string, number> | undefined, number, string, string[]?]>([
    ['/pay/', { password: 0, SMSOTP: 0 }, 15 * minute, 'allow'],
    ['/pay/', { password: 0, SMSOTP: 0 }, 15 * minute + 1, 'authenticate', ['SMSOTP']],
    // Only the SMS code is asked again, not the password: only what is stale.
    ['/pay/', { password: 0, SMSOTP: 20 * minute }, 30 * minute, 'allow'],
    // A session from before proof times were kept: the rule's methods are asked again.
    ['/pay/', undefined, 0, 'authenticate', ['SMSOTP']],
    ['/pw/', { password: 0 }, 90_000, 'allow'],
    ['/pw/', { password: 0 }, 90_001, 'authenticate', ['password']],
    ['/any/', { password: 0, SMSOTP: 0 }, 100 * 60 * minute, 'allow'],
  ])('%s with %o at %d ms → %s', (path, provenAt, now, kind, next) => {
    const decision = decideAccess(set, { host: null, rawPath: path }, admin(provenAt), testCatalogue, now);
    expect(decision.kind).toBe(kind);
    if (next) expect(decision).toMatchObject({ next });
    expect(decide(path, admin(provenAt), now).kind).toBe(kind);
  });
});

describe('newdevice: one more method from a new environment', () => {
  const set = setOf('/bk01/=ALL;;;newdevice=SMSOTP|TOTP', '/bk02/=ALL;;SMSOTP;newdevice=SMSOTP|TOTP');
  const who = (newEnvironment: boolean, proven: string[]): ProvenIdentity => ({
    userId: 'taro',
    groups: [],
    proven,
    newEnvironment,
  });
  const decide = (path: string, identity: ProvenIdentity) =>
    decideAccess(set, { host: null, rawPath: path }, identity, testCatalogue, 0);

  it.each<[string, boolean, string[], string, string[]?]>([
    ['/bk01/', false, ['password'], 'allow'],
    ['/bk01/', true, ['password'], 'authenticate', ['SMSOTP', 'TOTP']],
    ['/bk01/', true, ['password', 'TOTP'], 'allow'],
    // A rule that already asks for one of them asks nothing more.
    ['/bk02/', true, ['password', 'SMSOTP'], 'allow'],
  ])('%s new=%s proven %o → %s', (path, isNew, proven, kind, next) => {
    const decision = decide(path, who(isNew, proven));
    expect(decision.kind).toBe(kind);
    if (next) expect(decision).toMatchObject({ next });
  });
});

describe('explain names the network and the freshness it judged', () => {
  it('and what a new environment adds', () => {
    const set = setOf('/bk02/=ALL;;;newdevice=SMSOTP|TOTP');
    const lines = explainAccess(set, { host: null, rawPath: '/bk02/' }, null, testCatalogue, {
      now: 0,
    }).lines;
    expect(lines).toContain(
      'newdevice=SMSOTP|TOTP: a login from a browser and address new for the user also proves SMSOTP or TOTP',
    );
  });

  const set = setOf(
    '/bk01/=ALL;;;from=intranet',
    '/bk01/=ALL;;SMSOTP',
    '/bk01/pay/=@admins;;SMSOTP;reauth=15m',
  );
  const explain = (path: string, client: string | null, identity: ProvenIdentity | null, now = 0) =>
    explainAccess(set, { host: null, rawPath: path, client }, identity, testCatalogue, {
      now,
      networks,
    }).lines.join('\n');

  it('inside and outside the network', () => {
    expect(explain('/bk01/', '10.0.0.7', null)).toContain(
      'from=intranet: client 10.0.0.7 is in network intranet (10.0.0.0/8, fd00::/8)',
    );
    const outside = explain('/bk01/', '203.0.113.9', null);
    expect(outside).toContain('client: 203.0.113.9');
    expect(outside).toContain('rule: /bk01/=ALL;;SMSOTP');
  });

  it('fresh and stale proofs', () => {
    const identity: ProvenIdentity = {
      userId: 'hanako',
      groups: ['admins'],
      proven: ['password', 'SMSOTP'],
      provenAt: { password: 0, SMSOTP: 0 },
    };
    expect(explain('/bk01/pay/', '203.0.113.9', null)).toContain(
      'reauth=15m: SMSOTP must have been proven within the last 15m',
    );
    expect(explain('/bk01/pay/', '203.0.113.9', identity, 3 * 60_000)).toContain(
      'SMSOTP proven 3m ago: fresh',
    );
    const stale = explain('/bk01/pay/', '203.0.113.9', identity, 20 * 60_000);
    expect(stale).toContain('SMSOTP proven 20m ago: stale, asked again');
    expect(stale).toContain('decision: authenticate; next: SMSOTP');
  });
});
