import type { FastifyInstance, FastifyReply, FastifyRequest, RouteShorthandOptions } from 'fastify';
import type { AdminService } from '../../core/admin-service.ts';
import { isSekishoError, SekishoError } from '../../domain/errors.ts';
import { parsePathPrefix } from '../../domain/rules/parse-prefix.ts';
import { parseRule } from '../../domain/rules/parse-rule.ts';
import type { AdminDeps } from './deps.ts';
import { guardConsoleAccess } from './console-guard.ts';
import { actorOf } from './console-session.ts';
import { refusal, text, whole, type Fields } from './form.ts';
import { adminMessages } from './messages.ts';
import { explainView, loadStoredRules, ruleRows, writtenPrefix, type StoredRuleSet } from './rules-view.ts';
import { redirectDone, sendAdminPage } from './render.ts';

const RULES = '/_sekisho/admin/rules';

/** The four fields of a rule form, as typed. */
interface RuleForm {
  readonly prefix: string;
  readonly allow: string;
  readonly deny: string;
  readonly methods: string;
}

/** Rules: the list in evaluation order with warnings, add, edit, delete and explain. */
export function ruleRoutes(
  app: FastifyInstance,
  gateway: AdminDeps,
  admin: AdminService,
  post: RouteShorthandOptions,
) {
  app.get(RULES, async (request, reply) => showRules(request, reply, await loadStoredRules(gateway), {}));

  app.post<{ Body: Fields }>(RULES, post, async (request, reply) => {
    const form = ruleForm(request.body);
    const loaded = await loadStoredRules(gateway);
    try {
      await saveRule(request, loaded, form, null);
      return redirectDone(reply, RULES, 'ruleAdded');
    } catch (error) {
      const refused = refusal(error);
      if (!refused) throw error;
      return showRules(request, reply, await afterRefusal(error, loaded), { ...refused, form });
    }
  });

  app.get<{ Querystring: Fields }>(`${RULES}/edit`, async (request, reply) => {
    const prefix = text(request.query, 'prefix', 2048);
    return showEdit(request, reply, await loadStoredRules(gateway), prefix, { status: 200 });
  });

  app.post<{ Body: Fields }>(`${RULES}/edit`, post, async (request, reply) => {
    const form = ruleForm(request.body);
    const loaded = await loadStoredRules(gateway);
    try {
      await saveRule(request, loaded, form, formVersion(request.body));
      return redirectDone(reply, RULES, 'ruleSaved');
    } catch (error) {
      const refused = refusal(error);
      if (!refused) throw error;
      return showEdit(request, reply, await afterRefusal(error, loaded), form.prefix, { ...refused, form });
    }
  });

  app.post<{ Body: Fields }>(`${RULES}/delete`, post, async (request, reply) => {
    const prefix = text(request.body, 'prefix', 2048);
    const loaded = await loadStoredRules(gateway);
    try {
      const parsed = parsePathPrefix(prefix);
      if (parsed.ok)
        await guardConsoleAccess(gateway, request, loaded.rules, {
          kind: 'remove',
          host: parsed.value.host,
          prefix: parsed.value.prefix,
        });
      const version = whole(request.body, 'version', 0);
      if (version === 0)
        throw new SekishoError('SEKISHO_ERR_RULE_INVALID', 'rule: version: missing; reload the page');
      await admin.deleteRule(prefix, actorOf(request), { expectedVersion: version });
      return redirectDone(reply, RULES, 'ruleDeleted');
    } catch (error) {
      const refused = refusal(error);
      if (!refused) throw error;
      return showRules(request, reply, loaded, refused);
    }
  });

  app.get<{ Querystring: Fields }>(`${RULES}/explain`, async (request, reply) => {
    const query = {
      path: text(request.query, 'path', 2048),
      userId: text(request.query, 'user', 128),
      host: text(request.query, 'host', 255),
    };
    const loaded = await loadStoredRules(gateway);
    const result = query.path === '' ? null : await explainView(gateway, loaded.ruleSet, query);
    return sendAdminPage(request, reply, {
      view: 'explain',
      section: 'rules',
      title: (a) => a.rules.explainTitle,
      vars: { query, result },
    });
  });

  async function saveRule(
    request: FastifyRequest,
    loaded: StoredRuleSet,
    form: RuleForm,
    expectedVersion: number | null,
  ) {
    const line = ruleLine(form);
    const parsed = parseRule(line, gateway.catalogue, gateway.rules.networks);
    // An unparsable line is refused by the service with the field named, like the CLI's.
    if (parsed.ok)
      await guardConsoleAccess(gateway, request, loaded.rules, { kind: 'set', rule: parsed.rule });
    await admin.setRule(line, actorOf(request), { expectedVersion });
  }

  /**
   * The rules the refusal page shows: those read for the request, unless the refusal is that
   * someone changed the rule meanwhile; then the page must show (and its form carry) the new version.
   */
  async function afterRefusal(error: unknown, loaded: StoredRuleSet): Promise<StoredRuleSet> {
    return isSekishoError(error, 'SEKISHO_ERR_RULE_CONFLICT') ? loadStoredRules(gateway) : loaded;
  }

  function showRules(
    request: FastifyRequest,
    reply: FastifyReply,
    loaded: StoredRuleSet,
    options: { status?: number; message?: string; form?: RuleForm },
  ) {
    return sendAdminPage(request, reply, {
      view: 'rules',
      section: 'rules',
      title: (a) => a.rules.title,
      status: options.status,
      error: options.message,
      vars: {
        rows: ruleRows(gateway, loaded, adminMessages(request)),
        broken: loaded.broken,
        form: options.form ?? { prefix: '', allow: 'ALL', deny: '', methods: '' },
        methods: [...gateway.methods.keys()],
      },
    });
  }

  function showEdit(
    request: FastifyRequest,
    reply: FastifyReply,
    loaded: StoredRuleSet,
    prefix: string,
    options: { status: number; message?: string; form?: RuleForm },
  ) {
    const rows = ruleRows(gateway, loaded, adminMessages(request));
    const row = rows.find((r) => r.prefix === prefix);
    if (!row) return reply.callNotFound();
    const [allow = '', deny = '', methods = ''] = row.line.slice(row.line.indexOf('=') + 1).split(';');
    return sendAdminPage(request, reply, {
      view: 'rule-edit',
      section: 'rules',
      title: (a) => a.rules.editTitle,
      status: options.status,
      error: options.message ?? null,
      vars: {
        row,
        version: row.stored ? String(row.stored.version) : 'builtin',
        form: options.form ?? { prefix: writtenPrefix(row.line), allow, deny, methods },
        methods: [...gateway.methods.keys()],
      },
    });
  }
}

/** The version the edit form was opened at: `builtin` for the unstored default (it must still be unstored). */
function formVersion(body: Fields | undefined): number | null {
  const version = text(body, 'version', 20);
  if (version === 'builtin') return null;
  if (/^[0-9]{1,15}$/.test(version)) return Number(version);
  throw new SekishoError('SEKISHO_ERR_RULE_INVALID', 'rule: the form has no version; open the rule again');
}

function ruleForm(body: Fields | undefined): RuleForm {
  return {
    prefix: text(body, 'prefix', 2048),
    allow: text(body, 'allow', 4096),
    deny: text(body, 'deny', 4096),
    methods: text(body, 'methods', 256),
  };
}

/** The rule line the CLI would take; a separator typed inside a field is refused with that field named. */
function ruleLine(form: RuleForm): string {
  const fields = { 'path-prefix': form.prefix, allow: form.allow, deny: form.deny, methods: form.methods };
  for (const [name, value] of Object.entries(fields)) {
    if (/[=;]/.test(value))
      throw new SekishoError('SEKISHO_ERR_RULE_INVALID', `rule: ${name}: must not contain "=" or ";"`);
  }
  return `${form.prefix}=${form.allow};${form.deny};${form.methods}`;
}
