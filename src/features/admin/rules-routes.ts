import type { FastifyInstance, FastifyReply, FastifyRequest, RouteShorthandOptions } from 'fastify';
import { UnknownPrincipalsError, type AdminService } from '../../core/admin-service.ts';
import { isSekishoError, SekishoError } from '../../domain/errors.ts';
import { parsePathPrefix } from '../../domain/rules/parse-prefix.ts';
import { parseRule } from '../../domain/rules/parse-rule.ts';
import type { AdminDeps } from './deps.ts';
import { guardConsoleAccess } from './console-guard.ts';
import { actorOf } from './console-session.ts';
import { refusal, text, whole, type Fields } from './form.ts';
import { adminMessages } from './messages.ts';
import { localiseRefusal } from './rule-errors.ts';
import {
  EMPTY_FORM,
  fieldErrorsOf,
  formOf,
  ruleForm,
  ruleLine,
  type FieldErrors,
  type RuleForm,
} from './rule-form.ts';
import {
  explainView,
  loadStoredRules,
  principalChoices,
  ruleRows,
  type StoredRuleSet,
} from './rules-view.ts';
import { redirectDone, sendAdminPage } from './render.ts';

/** What a refused save shows again: the status, the message, each refused field's error, and the form as typed. */
interface Refused {
  readonly status?: number;
  readonly message?: string;
  readonly fieldErrors?: FieldErrors;
  readonly unknownNames?: boolean;
  readonly form?: RuleForm;
}

const RULES = '/_sekisho/admin/rules';

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
      const refused = refusedForm(request, error, form);
      return showRules(request, reply, await afterRefusal(error, loaded), refused);
    }
  });

  app.get<{ Querystring: Fields }>(`${RULES}/edit`, async (request, reply) => {
    const which = { prefix: text(request.query, 'prefix', 2048), from: text(request.query, 'from', 64) };
    return showEdit(request, reply, await loadStoredRules(gateway), which, {});
  });

  app.post<{ Body: Fields }>(`${RULES}/edit`, post, async (request, reply) => {
    // The edit form carries no line of its own: the prefix and network name the rule edited.
    const form = { ...ruleForm(request.body), line: '' };
    const loaded = await loadStoredRules(gateway);
    try {
      await saveRule(request, loaded, form, formVersion(request.body));
      return redirectDone(reply, RULES, 'ruleSaved');
    } catch (error) {
      const refused = refusedForm(request, error, form);
      const which = { prefix: form.prefix, from: form.from };
      return showEdit(request, reply, await afterRefusal(error, loaded), which, refused);
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
      return showRules(request, reply, loaded, { status: refused.status, message: refused.message });
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
    const line = ruleLine(form, adminMessages(request));
    const parsed = parseRule(line, gateway.catalogue, gateway.rules.networks);
    // An unparsable line is refused by the service with the field named, like the CLI's.
    if (parsed.ok)
      await guardConsoleAccess(gateway, request, loaded.rules, { kind: 'set', rule: parsed.rule });
    // Unknown users and groups are refused with "did you mean", unless the admin ticked the override.
    const unknownPrincipals = form.allowUnknown ? 'allow' : 'refuse';
    await admin.setRule(line, actorOf(request), { expectedVersion, unknownPrincipals });
  }

  /** A refusal the admin can act on, with its errors beside their fields; anything else is thrown on. */
  function refusedForm(request: FastifyRequest, error: unknown, form: RuleForm): Refused {
    const refused = refusal(error);
    if (!refused) throw error;
    const a = adminMessages(request);
    const unknownNames = error instanceof UnknownPrincipalsError;
    return {
      status: refused.status,
      // The refusal above the form, in the page's language when the console has the words.
      message: unknownNames ? a.rules.unknownRefused : localiseRefusal(refused.message, a),
      fieldErrors: fieldErrorsOf(error, refused.message, form, a),
      unknownNames,
      form,
    };
  }

  /**
   * The rules the refusal page shows: those read for the request, unless the refusal is that
   * someone changed the rule meanwhile; then the page must show (and its form carry) the new version.
   */
  async function afterRefusal(error: unknown, loaded: StoredRuleSet): Promise<StoredRuleSet> {
    return isSekishoError(error, 'SEKISHO_ERR_RULE_CONFLICT') ? loadStoredRules(gateway) : loaded;
  }

  /** The table's rows and the pickers' choices, from one read of the groups. */
  async function rowsAndChoices(request: FastifyRequest, loaded: StoredRuleSet) {
    const groups = (await gateway.users.listGroups()).map((g) => g.name);
    return Promise.all([
      ruleRows(gateway, loaded, adminMessages(request), admin, groups),
      principalChoices(gateway, groups),
    ]);
  }

  async function showRules(
    request: FastifyRequest,
    reply: FastifyReply,
    loaded: StoredRuleSet,
    options: Refused,
  ) {
    const [rows, choices] = await rowsAndChoices(request, loaded);
    return sendAdminPage(request, reply, {
      view: 'rules',
      section: 'rules',
      title: (a) => a.rules.title,
      status: options.status,
      error: options.message,
      vars: {
        rows,
        broken: loaded.broken,
        ...formVars(options, options.form ?? EMPTY_FORM, choices),
        fromFixed: false,
      },
    });
  }

  async function showEdit(
    request: FastifyRequest,
    reply: FastifyReply,
    loaded: StoredRuleSet,
    which: { prefix: string; from: string },
    options: Refused,
  ) {
    const [rows, choices] = await rowsAndChoices(request, loaded);
    const row = rows.find((r) => r.prefix === which.prefix && r.from === which.from);
    if (!row) return reply.callNotFound();
    return sendAdminPage(request, reply, {
      view: 'rule-edit',
      section: 'rules',
      title: (a) => a.rules.editTitle,
      status: options.status ?? 200,
      error: options.message ?? null,
      vars: {
        row,
        version: row.stored ? String(row.stored.version) : 'builtin',
        ...formVars(options, options.form ?? formOf(row.rule), choices),
        // The network is part of the rule's identity, like its prefix: another one is another rule.
        fromFixed: true,
      },
    });
  }

  /**
   * What the two forms need: the field form with its errors and the line form with its own (a
   * refusal is shown on the form that was sent, the other one left fresh), and the pickers' choices
   * of principals, methods and networks.
   */
  function formVars(options: Refused, form: RuleForm, principals: readonly string[]) {
    const byLine = form.line !== '';
    const errors = options.fieldErrors ?? {};
    return {
      form: byLine ? EMPTY_FORM : form,
      fieldErrors: byLine ? {} : errors,
      unknownNames: !byLine && (options.unknownNames ?? false),
      line: {
        text: form.line,
        error: byLine ? (errors.line ?? null) : null,
        unknownNames: byLine && (options.unknownNames ?? false),
      },
      principals,
      methods: [...gateway.methods.keys()],
      networks: [...gateway.rules.networks.keys()],
    };
  }
}

/** The version the edit form was opened at: `builtin` for the unstored default (it must still be unstored). */
function formVersion(body: Fields | undefined): number | null {
  const version = text(body, 'version', 20);
  if (version === 'builtin') return null;
  if (/^[0-9]{1,15}$/.test(version)) return Number(version);
  throw new SekishoError('SEKISHO_ERR_RULE_INVALID', 'rule: the form has no version; open the rule again');
}
