import type { FastifyInstance, FastifyReply, FastifyRequest, RouteShorthandOptions } from 'fastify';
import type { AdminService } from '../core/admin-service.ts';
import { SekishoError } from '../domain/errors.ts';
import { parsePathPrefix } from '../domain/rules/parse-prefix.ts';
import { parseRule } from '../domain/rules/parse-rule.ts';
import type { Gateway } from '../http/gateway.ts';
import { guardConsoleAccess } from './console-guard.ts';
import { actorOf } from './console-session.ts';
import { refusal, text, type Fields } from './form.ts';
import { adminMessages } from './messages.ts';
import { explainView, loadStoredRules, ruleRows, writtenPrefix } from './rules-view.ts';
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
  gateway: Gateway,
  admin: AdminService,
  post: RouteShorthandOptions,
) {
  app.get(RULES, async (request, reply) => showRules(request, reply, {}));

  app.post<{ Body: Fields }>(RULES, post, async (request, reply) => {
    const form = ruleForm(request.body);
    return attempt(request, reply, form, async () => {
      await saveRule(request, form, null);
      return redirectDone(reply, RULES, 'ruleAdded');
    });
  });

  app.get<{ Querystring: Fields }>(`${RULES}/edit`, async (request, reply) => {
    const prefix = text(request.query, 'prefix', 2048);
    return showEdit(request, reply, prefix, null, 200, null);
  });

  app.post<{ Body: Fields }>(`${RULES}/edit`, post, async (request, reply) => {
    const form = ruleForm(request.body);
    const version = text(request.body, 'version', 20);
    const expected =
      version === 'builtin' ? null : /^[0-9]{1,15}$/.test(version) ? Number(version) : undefined;
    try {
      await saveRule(request, form, expected);
      return redirectDone(reply, RULES, 'ruleSaved');
    } catch (error) {
      const refused = refusal(error);
      if (!refused) throw error;
      return showEdit(request, reply, form.prefix, form, refused.status, refused.message);
    }
  });

  app.post<{ Body: Fields }>(`${RULES}/delete`, post, async (request, reply) => {
    const prefix = text(request.body, 'prefix', 2048);
    return attempt(request, reply, null, async () => {
      const parsed = parsePathPrefix(prefix);
      if (parsed.ok)
        await guardConsoleAccess(gateway, request, {
          kind: 'remove',
          host: parsed.value.host,
          prefix: parsed.value.prefix,
        });
      await admin.deleteRule(prefix, actorOf(request));
      return redirectDone(reply, RULES, 'ruleDeleted');
    });
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

  /** Runs a change; a refusal re-renders the rules page with the message and what was typed. */
  async function attempt(
    request: FastifyRequest,
    reply: FastifyReply,
    form: RuleForm | null,
    work: () => Promise<FastifyReply>,
  ): Promise<FastifyReply> {
    try {
      return await work();
    } catch (error) {
      const refused = refusal(error);
      if (!refused) throw error;
      return showRules(request, reply, { status: refused.status, error: refused.message, form });
    }
  }

  async function saveRule(
    request: FastifyRequest,
    form: RuleForm,
    expectedVersion: number | null | undefined,
  ) {
    const line = ruleLine(form);
    const parsed = parseRule(line, gateway.catalogue);
    // An unparsable line is refused by the service with the field named, like the CLI's.
    if (parsed.ok) await guardConsoleAccess(gateway, request, { kind: 'set', rule: parsed.rule });
    await admin.setRule(line, actorOf(request), expectedVersion === undefined ? {} : { expectedVersion });
  }

  async function showRules(
    request: FastifyRequest,
    reply: FastifyReply,
    options: { status?: number; error?: string; form?: RuleForm | null },
  ) {
    const loaded = await loadStoredRules(gateway);
    return sendAdminPage(request, reply, {
      view: 'rules',
      section: 'rules',
      title: (a) => a.rules.title,
      status: options.status,
      error: options.error,
      vars: {
        rows: ruleRows(gateway, loaded, adminMessages(request)),
        broken: loaded.broken,
        form: options.form ?? { prefix: '', allow: 'ALL', deny: '', methods: '' },
        methods: [...gateway.methods.keys()],
      },
    });
  }

  async function showEdit(
    request: FastifyRequest,
    reply: FastifyReply,
    prefix: string,
    typed: RuleForm | null,
    status: number,
    error: string | null,
  ) {
    const loaded = await loadStoredRules(gateway);
    const rows = ruleRows(gateway, loaded, adminMessages(request));
    const row = rows.find((r) => r.prefix === prefix);
    if (!row) return reply.callNotFound();
    const [allow = '', deny = '', methods = ''] = row.line.slice(row.line.indexOf('=') + 1).split(';');
    return sendAdminPage(request, reply, {
      view: 'rule-edit',
      section: 'rules',
      title: (a) => a.rules.editTitle,
      status,
      error,
      vars: {
        row,
        version: row.stored ? String(row.stored.version) : 'builtin',
        form: typed ?? { prefix: writtenPrefix(row.line), allow, deny, methods },
        methods: [...gateway.methods.keys()],
      },
    });
  }
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
