/** Who a rule's allow or deny list names. */
export type Principal =
  { readonly kind: 'user'; readonly id: string } | { readonly kind: 'group'; readonly name: string };

/**
 * What a rule demands be proven. `bypass` means no authentication at all.
 * `steps` is an ordered list; each step is a list of alternatives the user picks from
 * (`A,B` → [[A],[B]]; `A|B` → [[A,B]]; `A,B|C` → [[A],[B,C]]). No steps = ID/password only.
 * Method names are canonical (aliases such as PUSH are already mapped to MAMORU).
 */
export type MethodRequirement =
  { readonly kind: 'bypass' } | { readonly kind: 'steps'; readonly steps: readonly (readonly string[])[] };

/** `from=<network>` (or `from=!<network>`): the rule applies only to clients in (or not in) a named network. */
export interface NetworkCondition {
  readonly network: string;
  readonly negated: boolean;
}

/** One parsed access rule, IceWall style: `<prefix>=<allow>;<deny>;<methods>[;<options>]`. */
export interface AccessRule {
  /** Lower-cased `host[:port]` when the prefix was a full URL; null for every host. */
  readonly host: string | null;
  /** Normalised, lower-cased absolute path ending in `/`. */
  readonly prefix: string;
  /** `'all'` or the principals allowed. */
  readonly allow: 'all' | readonly Principal[];
  /** Principals denied; deny beats allow. */
  readonly deny: readonly Principal[];
  readonly methods: MethodRequirement;
  /** `from=`: the client network the rule is for; null for every client. With host and prefix, the rule's identity. */
  readonly from: NetworkCondition | null;
  /** `reauth=`: the rule's methods must have been proven within this many seconds; null: any time in the session. */
  readonly reauthSeconds: number | null;
  /** `newdevice=`: one of these methods is asked besides when the browser and address are new for the user. */
  readonly newDevice: readonly string[] | null;
  /** The rule line in canonical form (what `rule export` prints). */
  readonly line: string;
}

/** Field names used in parse errors, matching the rule grammar. */
export type RuleField =
  'line' | 'path-prefix' | 'allow' | 'deny' | 'methods' | 'options' | 'from' | 'reauth' | 'newdevice';

export type RuleParseResult =
  | { readonly ok: true; readonly rule: AccessRule }
  | { readonly ok: false; readonly field: RuleField; readonly message: string };

/**
 * What the rule engine knows about authentication methods. The password is the method
 * named `password`; plugins add the rest.
 */
export interface MethodCatalogue {
  /** Canonical name for a name or alias (`PUSH` → `MAMORU`); undefined when unknown. */
  canonical(name: string): string | undefined;
  /** True when the method replaces the password (MAMORU) instead of following it (SMSOTP). */
  isPasswordless(name: string): boolean;
}

/** The identity a session has proven so far. */
export interface ProvenIdentity {
  readonly userId: string;
  readonly groups: readonly string[];
  /** Canonical method names proven in this session, e.g. ['password', 'SMSOTP']. */
  readonly proven: readonly string[];
  /**
   * When each method was last proven (ms), by name. Sessions from before this was kept have
   * none: a rule with `reauth=` then asks for its methods again.
   */
  readonly provenAt?: Readonly<Record<string, number>>;
  /** The session was proven from a browser and address new for the user (rules' `newdevice=` apply). */
  readonly newEnvironment?: boolean;
}

export type AccessDecision =
  /** The path cannot be normalised safely: answer 400. */
  | { readonly kind: 'bad-path'; readonly reason: string }
  /** No rule matches: default deny, 403. */
  | { readonly kind: 'no-rule'; readonly path: string }
  /** Public path: proxy without identity. */
  | { readonly kind: 'bypass'; readonly rule: AccessRule; readonly path: string }
  /** The identity satisfies the rule: proxy with identity headers. */
  | { readonly kind: 'allow'; readonly rule: AccessRule; readonly path: string }
  /** The identity is known and not allowed (or denied): 403. */
  | { readonly kind: 'forbidden'; readonly rule: AccessRule; readonly path: string }
  /**
   * More must be proven. `next` lists the methods that could be proven next (more than
   * one → the user picks on a chooser page); `password` among them means the login form.
   */
  | {
      readonly kind: 'authenticate';
      readonly rule: AccessRule;
      readonly path: string;
      readonly next: readonly string[];
    };
