import type { FastifyInstance, FastifyReply, FastifyRequest, RouteShorthandOptions } from 'fastify';
import type { AdminService } from '../../core/admin-service.ts';
import { parseRule } from '../../domain/rules/parse-rule.ts';
import type { AdminDeps } from './deps.ts';
import { guardConsoleAccess } from './console-guard.ts';
import { actorOf } from './console-session.ts';
import { refusal, whole, type Fields } from './form.ts';
import { redirectDone, sendAdminPage } from './render.ts';
import { loadStoredRules } from './rules-view.ts';
import { diffHistory } from './rule-diff.ts';

const HISTORY = '/_sekisho/admin/rules/history';
const HISTORY_PAGE = 50;
/** How far past the page the previous version of each rule is looked for (the diff's "before"). */
const LOOKBACK = 500;

/** Rule history with who and when, and one-click rollback to an earlier version. */
export function historyRoutes(
  app: FastifyInstance,
  gateway: AdminDeps,
  admin: AdminService,
  post: RouteShorthandOptions,
) {
  app.get<{ Querystring: Fields }>(HISTORY, async (request, reply) =>
    showHistory(request, reply, whole(request.query, 'offset', 0), 200, null),
  );

  app.post<{ Body: Fields }>('/_sekisho/admin/rules/rollback', post, async (request, reply) => {
    const version = whole(request.body, 'version', 0);
    try {
      const currentVersion = await guardRollback(request, version);
      const result = await admin.rollbackRule(version, actorOf(request), { currentVersion });
      const done =
        result.kind === 'restored'
          ? 'ruleRestored'
          : result.kind === 'deleted'
            ? 'ruleRemoved'
            : 'ruleUnchanged';
      return redirectDone(reply, HISTORY, done);
    } catch (error) {
      const refused = refusal(error);
      if (!refused) throw error;
      return showHistory(request, reply, 0, refused.status, refused.message);
    }
  });

  /**
   * A rollback is a rule change like any other: it must not lock the admin out either. Returns
   * the version of the rule the check judged (null: none), which the rollback then writes over.
   */
  async function guardRollback(request: FastifyRequest, version: number): Promise<number | null | undefined> {
    const entry = await gateway.ruleRepository.findVersion(version);
    if (!entry) return undefined; // the service answers "no such version"
    const { rules, stored } = await loadStoredRules(gateway);
    const current = stored.find(
      (r) => r.host === entry.host && r.prefix === entry.prefix && r.from === entry.from,
    );
    if (entry.line === null) {
      await guardConsoleAccess(gateway, request, rules, {
        kind: 'remove',
        host: entry.host,
        prefix: entry.prefix,
        from: entry.from,
      });
    } else {
      const parsed = parseRule(entry.line, gateway.catalogue, gateway.rules.networks);
      if (parsed.ok) await guardConsoleAccess(gateway, request, rules, { kind: 'set', rule: parsed.rule });
    }
    return current?.version ?? null;
  }

  async function showHistory(
    request: FastifyRequest,
    reply: FastifyReply,
    offset: number,
    status: number,
    error: string | null,
  ) {
    const [read, stored] = await Promise.all([
      gateway.ruleRepository.history(HISTORY_PAGE + LOOKBACK, offset),
      gateway.ruleRepository.list(),
    ]);
    const entries = read.slice(0, HISTORY_PAGE + 1);
    const shown = entries.slice(0, HISTORY_PAGE);
    // Fewer rows than asked for: the read reached the first change, so a rule with no earlier row was created.
    const diffs = diffHistory(shown, read.slice(HISTORY_PAGE), read.length < HISTORY_PAGE + LOOKBACK);
    const inForce = new Set(stored.map((s) => s.version));
    return sendAdminPage(request, reply, {
      view: 'history',
      section: 'history',
      title: (a) => a.history.title,
      status,
      error,
      vars: {
        entries: shown.map((entry, index) => ({
          ...entry,
          diff: diffs[index],
          where: entry.host === null ? entry.prefix : `${entry.host}${entry.prefix}`,
          inForce: inForce.has(entry.version),
        })),
        newer: offset > 0 ? Math.max(offset - HISTORY_PAGE, 0) : null,
        older: entries.length > HISTORY_PAGE ? offset + HISTORY_PAGE : null,
      },
    });
  }
}
