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

/** The fields of a rule form, as typed: the rule line's four, and its options one by one. */
interface RuleForm {
  readonly prefix: string;
  readonly allow: string;
  readonly deny: string;
  readonly methods: string;
  readonly from: string;
  readonly reauth: string;
  readonly newdevice: string;
}

const EMPTY_FORM: RuleForm = {
  prefix: '',
  allow: 'ALL',
  deny: '',
  methods: '',
  from: '',
  reauth: '',
  newdevice: '',
};

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
    const which = { prefix: text(request.query, 'prefix', 2048), from: text(request.query, 'from', 64) };
    return showEdit(request, reply, await loadStoredRules(gateway), which, { status: 200 });
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
      const which = { prefix: form.prefix, from: form.from };
      return showEdit(request, reply, await afterRefusal(error, loaded), which, { ...refused, form });
    }
  });

  app.post<{ Body: Fields }>(`${RULES}/delete`, post, async (request, reply) => {
    const prefix = text(request.body, 'prefix', 2048);
    const from = text(request.body, 'from', 64) || null;
    const loaded = await loadStoredRules(gateway);
    try {
      const parsed = parsePathPrefix(prefix);
      if (parsed.ok)
        await guardConsoleAccess(gateway, request, loaded.rules, {
          kind: 'remove',
          host: parsed.value.host,
          prefix: parsed.value.prefix,
          from,
        });
      const version = whole(request.body, 'version', 0);
      if (version === 0)
        throw new SekishoError('SEKISHO_ERR_RULE_INVALID', 'rule: version: missing; reload the page');
      await admin.deleteRule(prefix, actorOf(request), { expectedVersion: version, from });
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
      client: text(request.query, 'client', 64),
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
        form: options.form ?? EMPTY_FORM,
        fieldErrors: fieldErrorsOf(options.message),
        methods: [...gateway.methods.keys()],
        networks: [...gateway.rules.networks.keys()],
        fromFixed: false,
      },
    });
  }

  function showEdit(
    request: FastifyRequest,
    reply: FastifyReply,
    loaded: StoredRuleSet,
    which: { prefix: string; from: string },
    options: { status: number; message?: string; form?: RuleForm },
  ) {
    const rows = ruleRows(gateway, loaded, adminMessages(request));
    const row = rows.find((r) => r.prefix === which.prefix && r.from === which.from);
    if (!row) return reply.callNotFound();
    return sendAdminPage(request, reply, {
      view: 'rule-edit',
      section: 'rules',
      title: (a) => a.rules.editTitle,
      status: options.status,
      error: options.message ?? null,
      vars: {
        row,
        version: row.stored ? String(row.stored.version) : 'builtin',
        form: options.form ?? formOf(row.line),
        fieldErrors: fieldErrorsOf(options.message),
        methods: [...gateway.methods.keys()],
        networks: [...gateway.rules.networks.keys()],
        // The network is part of the rule's identity, like its prefix: another one is another rule.
        fromFixed: true,
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
    from: text(body, 'from', 64),
    reauth: text(body, 'reauth', 32),
    newdevice: text(body, 'newdevice', 256),
  };
}

/** A stored line back in the form's fields (the options field split into its options). */
function formOf(line: string): RuleForm {
  const [allow = '', deny = '', methods = '', options = ''] = line.slice(line.indexOf('=') + 1).split(';');
  const option = (name: string) =>
    options
      .split(',')
      .find((part) => part.startsWith(`${name}=`))
      ?.slice(name.length + 1) ?? '';
  return {
    prefix: writtenPrefix(line),
    allow,
    deny,
    methods,
    from: option('from'),
    reauth: option('reauth'),
    newdevice: option('newdevice'),
  };
}

/** The rule line the CLI would take; a separator typed inside a field is refused with that field named. */
function ruleLine(form: RuleForm): string {
  const fields = { 'path-prefix': form.prefix, allow: form.allow, deny: form.deny, methods: form.methods };
  for (const [name, value] of Object.entries(fields)) {
    if (/[=;]/.test(value))
      throw new SekishoError('SEKISHO_ERR_RULE_INVALID', `rule: ${name}: must not contain "=" or ";"`);
  }
  const options = { from: form.from, reauth: form.reauth, newdevice: form.newdevice };
  for (const [name, value] of Object.entries(options)) {
    if (/[=;,]/.test(value))
      throw new SekishoError('SEKISHO_ERR_RULE_INVALID', `rule: ${name}: must not contain "=", ";" or ","`);
  }
  const written = Object.entries(options)
    .filter(([, value]) => value !== '')
    .map(([name, value]) => `${name}=${value}`);
  const line = `${form.prefix}=${form.allow};${form.deny};${form.methods}`;
  return written.length > 0 ? `${line};${written.join(',')}` : line;
}

const FORM_FIELDS: Readonly<Record<string, keyof RuleForm>> = {
  'path-prefix': 'prefix',
  allow: 'allow',
  deny: 'deny',
  methods: 'methods',
  from: 'from',
  reauth: 'reauth',
  newdevice: 'newdevice',
};

/** `rule: reauth: "15x" is not a duration…` → { reauth: '"15x" is not a duration…' }: the error beside its field. */
function fieldErrorsOf(message: string | undefined): Partial<Record<keyof RuleForm, string>> {
  const match = /^rule: ([a-z-]+): (.*)$/s.exec(message ?? '');
  const field = match?.[1] ? FORM_FIELDS[match[1]] : undefined;
  return field && match?.[2] ? { [field]: match[2] } : {};
}
