import type { Logger } from 'pino';
import type { Config } from '../config/schema.ts';
import type { PasswordHasher } from '../ports/password-hasher.ts';
import type { MethodCatalogue } from '../domain/rules/types.ts';
import type { AuditLog, AuditReader } from '../ports/audit.ts';
import type { Clock } from '../ports/clock.ts';
import type { KeyStore } from '../ports/key-store.ts';
import type { SealedBox } from '../ports/sealed-box.ts';
import type { RuleRepository } from '../ports/rules.ts';
import type { Store } from '../ports/store.ts';
import type { UserRepository } from '../ports/users.ts';
import type { PasswordLogin } from './password-login.ts';
import type { RuleEngine } from './rule-engine.ts';
import type { SessionService } from './session-service.ts';
import type { Readiness } from './readiness.ts';
import type { GatewayMetrics } from '../metrics/metrics.ts';
import type { LoadedMethod } from './plugin-host.ts';
import type { PushService } from '../ports/push-service.ts';
import type { AssertionSigner } from './assertion-signer.ts';
import type {
  CredentialRepository,
  FactorActivationRepository,
  RecoveryCodeRepository,
} from '../ports/credentials.ts';

/** Everything the HTTP layer needs, built once by the server and passed down. */
export interface Gateway {
  readonly config: Config;
  readonly clock: Clock;
  readonly log: Logger;
  /** The whole store; each feature is handed the ports it uses (sessions, values, counters…). */
  readonly store: Store;
  readonly users: UserRepository;
  readonly ruleRepository: RuleRepository;
  readonly rules: RuleEngine;
  readonly catalogue: MethodCatalogue;
  readonly sessions: SessionService;
  readonly passwordLogin: PasswordLogin;
  readonly hasher: PasswordHasher;
  readonly audit: AuditLog;
  /** Reads the audit trail back (the admin console's audit and SMS pages). */
  readonly auditTrail: AuditReader;
  readonly readiness: Readiness;
  readonly metrics: GatewayMetrics;
  /** The authentication plugins this gateway runs, by canonical method name. */
  readonly methods: ReadonlyMap<string, LoadedMethod>;
  /** The in-process push service (`push.enabled`), or null. */
  readonly push: PushService | null;
  /** The secret that keys HMACs and signs cookies. */
  readonly secret: string;
  /** Key material every instance shares (signing keys, VAPID keys), sealed in Postgres. */
  readonly keys: KeyStore;
  /** A sealed box for secrets at rest of one purpose (`totp`, …), keyed from `secret`. */
  readonly sealFor: (purpose: string) => SealedBox;
  /** Signs the identity assertion sent to backends (null: `assertion.enabled: false`). */
  readonly assertions: AssertionSigner | null;
  /** Users' stored authenticators of every method (TOTP secrets, passkeys). */
  readonly credentials: CredentialRepository;
  /** Users' single-use recovery codes (keyed hashes). */
  readonly recoveryCodes: RecoveryCodeRepository;
  /** Admin-issued links to enrol a first factor. */
  readonly factorActivations: FactorActivationRepository;
}
