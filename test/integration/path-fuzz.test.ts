import { randomUUID } from 'node:crypto';
import { readFileSync } from 'node:fs';
import fc from 'fast-check';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { ADMIN_PREFIX } from '../../src/core/rule-engine.ts';
import { isPermitted, locateRule, type LocatedRequest } from '../../src/domain/rules/decide.ts';
import type { RuleSet } from '../../src/domain/rules/rule-set.ts';
import { startBackend, type FakeBackend, type SeenRequest } from '../support/backend.ts';
import { FormClient } from '../support/browser-client.ts';
import { requestTarget } from '../support/fuzz-targets.ts';
import { addUser, setRules, startGateway, type TestGateway } from '../support/gateway.ts';
import { rawRequest } from '../support/raw-http.ts';

/**
 * A differential fuzz test of "what is checked is what is served" (README, Access rules): request
 * targets built from the gateway's prefixes with case variants, Unicode look-alikes and
 * case-folding characters, escapes, dot segments, parameters, `#`, `?`, backslashes, overlong
 * UTF-8 and repeated slashes, sent byte for byte through both proxy paths. For every target the
 * gateway either refuses it itself (never with a 5xx, never with a page other than its own
 * non-admin ones), or the backend receives the normalised path, whose rule — as `locateRule`
 * finds it for `/bk01` + what the backend got — is the rule the target was decided by and
 * admits the user (not in @admins). The seed corpus (test/fixtures/path-fuzz-corpus.json)
 * runs first; then fast-check, seeded, in batches sent a few at a time.
 */

/** fast-check's seed and number of batches; `SEKISHO_FUZZ_SEED` / `SEKISHO_FUZZ_RUNS` for a longer run by hand. */
const seed = Number(process.env.SEKISHO_FUZZ_SEED ?? 20_260_212);
const numRuns = Number(process.env.SEKISHO_FUZZ_RUNS ?? 1000);
/** Targets per generated batch, and how many of them are on the wire at once. */
const batchSize = 8;
const concurrency = 4;

const rules = [
  '/=ALL;;',
  '/bk01/=ALL;;',
  '/bk01/admin/=@admins;;',
  '/bk01/open/=ALL;;BYPASS',
  // A backend path that repeats the backend's name: what `/bk01?q` would serve were the prefix kept.
  '/bk01/bk01/=@admins;;',
];
/** The user every request is sent for: logged in with the password, not in @admins. */
const user = { userId: 'taro', groups: ['eigyo'] };
/** Only the admin console's layout writes this; no page a non-admin may see does. */
const consoleMarker = 'id="admin-id"';

interface CorpusEntry {
  readonly target: string;
  readonly why: string;
  /** A control: it must be served, and the backend must receive exactly this. */
  readonly reaches?: string;
}
const corpus = (
  JSON.parse(readFileSync(new URL('../fixtures/path-fuzz-corpus.json', import.meta.url), 'utf8')) as {
    targets: CorpusEntry[];
  }
).targets;

// ---- the oracle -----------------------------------------------------------------------------

interface Outcome {
  readonly status: number;
  readonly body: string;
  /** What the backend received for this request (matched by its X-Fuzz-Id). */
  readonly reached: readonly SeenRequest[];
}

/** A located request's rule line, or why it has none; for messages. */
function ruleOf(located: LocatedRequest): string {
  return 'rule' in located ? located.rule.line : located.kind;
}

/** Everything before the query; what the gateway's rules look at. */
function pathOf(target: string): string {
  const query = target.indexOf('?');
  return query === -1 ? target : target.slice(0, query);
}

/**
 * The paths a target may be decided as: the path before the query (as the gateway reads a
 * target), and, when it carries a raw `#`, the path before that (a request-target has no
 * fragment, but a server that cuts one off decides the rest).
 */
function decidedPaths(target: string): string[] {
  const path = pathOf(target);
  const hash = path.indexOf('#');
  return hash === -1 ? [path] : [path, path.slice(0, hash)];
}

/** What a backend (a web framework) reads as the path of the request line it received. */
function servedPath(url: string): string {
  const end = url.search(/[?#]/);
  return end === -1 ? url : url.slice(0, end);
}

/**
 * Whether the backend was given the normalised path (README: "the backend receives that same
 * normalised path"); the backend's own segment is routed in any letter case, the rest is exact.
 */
function sameServedPath(normalised: string, received: string): boolean {
  const cut = (path: string) => {
    const end = path.indexOf('/', 1);
    return end === -1 ? [path.toLowerCase(), ''] : [path.slice(0, end).toLowerCase(), path.slice(end)];
  };
  const [ownSegment, rest] = cut(normalised);
  const [receivedSegment, receivedRest] = cut(received);
  return ownSegment === receivedSegment && (rest === receivedRest || (rest === '' && receivedRest === '/'));
}

/** Every way this outcome breaks the promise; empty when it keeps it. */
function problemsWith(ruleSet: RuleSet, host: string, target: string, outcome: Outcome): string[] {
  const locate = (rawPath: string) => locateRule(ruleSet, { host, rawPath });
  const problems: string[] = [];
  if (outcome.body.includes(consoleMarker)) problems.push('answered with the admin console');
  const [seen, ...again] = outcome.reached;
  if (again.length > 0) problems.push(`the backend was reached ${outcome.reached.length} times`);
  if (seen) problems.push(...servedProblems(locate, target, outcome.status, seen.url));
  else problems.push(...refusalProblems(locate(pathOf(target)), outcome.status));
  return problems;
}

/** The gateway answered by itself: never a 5xx, and a 2xx only from one of its pages a non-admin may see. */
function refusalProblems(own: LocatedRequest, status: number): string[] {
  if (status >= 500) return [`the gateway answered ${status} by itself`];
  const isOwnPage =
    'path' in own &&
    own.path.toLowerCase().startsWith('/_sekisho/') &&
    !('rule' in own && own.rule.prefix === ADMIN_PREFIX);
  if (status < 300 && !isOwnPage)
    return [`the gateway answered ${status} itself for ${ruleOf(own)}, not one of its pages`];
  return [];
}

/**
 * The backend received `url`: it must be the normalised target, decided by the rule that covers
 * what the backend serves, and that rule must admit the user.
 */
function servedProblems(
  locate: (rawPath: string) => LocatedRequest,
  target: string,
  status: number,
  url: string,
): string[] {
  const problems: string[] = [];
  if (status !== 200) problems.push(`the backend was reached but the client got ${status}`);
  const receivedAs = `/bk01${servedPath(url)}`;
  const served = locate(receivedAs);
  if (!('rule' in served))
    return [...problems, `the backend received ${url}, which the rules refuse (${served.kind})`];
  const decided = decidedPaths(target).map(locate);
  if (!decided.some((d) => 'path' in d && sameServedPath(d.path, receivedAs))) {
    const normalised = decided.map((d) => ('path' in d ? d.path : d.kind)).join(' / ');
    problems.push(`the backend received ${url}, not the normalised path ${normalised}`);
  }
  if (!decided.some((d) => 'rule' in d && d.rule === served.rule))
    problems.push(
      `decided by ${decided.map(ruleOf).join(' / ')}, but the backend received ${url}, which is ${served.rule.line}`,
    );
  if (served.kind === 'located' && !isPermitted(served.rule, user))
    problems.push(`the backend served ${url} (${served.rule.line}) to a user that rule does not admit`);
  return problems;
}

// ---- running it -----------------------------------------------------------------------------

async function mapLimited<T, R>(items: readonly T[], limit: number, run: (item: T) => Promise<R>) {
  const results: R[] = new Array<R>(items.length);
  let next = 0;
  const worker = async () => {
    while (next < items.length) {
      const i = next++;
      results[i] = await run(items[i] as T);
    }
  };
  await Promise.all(Array.from({ length: Math.min(limit, items.length) }, worker));
  return results;
}

const carriers = [
  { name: 'the lean path', leanPath: true },
  { name: 'the Fastify path (proxy.leanPath: false)', leanPath: false },
];

describe.each(carriers)('request targets through $name', ({ leanPath }) => {
  let backend: FakeBackend;
  let gw: TestGateway;
  let cookie: string;
  let host: string;

  beforeAll(async () => {
    backend = await startBackend();
    gw = await startGateway({ config: { proxy: { leanPath }, backends: { bk01: { url: backend.url } } } });
    await setRules(gw, ...rules);
    const password = await addUser(gw, user.userId, { groups: [...user.groups] });
    const client = new FormClient(gw.url);
    expect((await client.login(user.userId, password, '/bk01/')).status).toBe(303);
    cookie = client.cookieHeader();
    host = new URL(gw.url).host;
  });
  afterAll(async () => {
    await gw?.close();
    await backend?.close();
  });

  /** Sends the target exactly as written, as the logged-in user; what came back and what the backend saw. */
  async function send(path: string): Promise<Outcome> {
    const id = randomUUID();
    const response = await rawRequest(gw.url, 'GET', path, [
      ['Accept', 'text/html'],
      ['Cookie', cookie],
      ['X-Fuzz-Id', id],
    ]);
    const reached = backend.seen.filter((seen) => seen.headers['x-fuzz-id'] === id);
    return { status: response.status, body: response.body, reached };
  }

  async function problemsFor(path: string): Promise<string[]> {
    try {
      return problemsWith(gw.runtime.gateway.rules.current, host, path, await send(path));
    } catch (error) {
      return [`no HTTP answer (${error instanceof Error ? error.message : String(error)})`];
    }
  }

  it('has the rules and the user the oracle assumes', () => {
    const ruleSet = gw.runtime.gateway.rules.current;
    expect(ruleOf(locateRule(ruleSet, { host, rawPath: '/bk01/admin/x' }))).toBe('/bk01/admin/=@admins;;');
    expect(ruleOf(locateRule(ruleSet, { host, rawPath: '/bk01/bk01' }))).toBe('/bk01/bk01/=@admins;;');
    expect(ruleOf(locateRule(ruleSet, { host, rawPath: ADMIN_PREFIX }))).toMatch(
      /^\/_sekisho\/admin\/=@admins;/,
    );
  });

  it.each(corpus)('seed corpus: $target ($why)', async ({ target, reaches }) => {
    const outcome = await send(target);
    expect(problemsWith(gw.runtime.gateway.rules.current, host, target, outcome)).toEqual([]);
    if (reaches !== undefined) expect(outcome.reached.map((seen) => seen.url)).toEqual([reaches]);
  });

  it(
    `generated targets: ${numRuns} batches of up to ${batchSize}, seed ${seed}`,
    { timeout: 120_000 },
    async () => {
      await fc.assert(
        fc.asyncProperty(fc.array(requestTarget, { minLength: 1, maxLength: batchSize }), async (batch) => {
          const found = await mapLimited(batch, concurrency, async (path) => ({
            path,
            problems: await problemsFor(path),
          }));
          const failing = found.filter((f) => f.problems.length > 0);
          if (failing.length > 0)
            throw new Error(failing.map((f) => `${f.path}: ${f.problems.join('; ')}`).join('\n'));
        }),
        { seed, numRuns },
      );
    },
  );
});
