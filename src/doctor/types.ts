/** How bad a finding is. `high` fails `sekisho doctor` (exit 1). */
export type Severity = 'high' | 'medium' | 'low';

/** One departure from the security baseline, with what to do about it. */
export interface Finding {
  /** Stable identifier, e.g. `public-url-http` (scripts may match on it). */
  readonly id: string;
  readonly severity: Severity;
  /** What it is about: a config key path, a rule line, or a dependency. */
  readonly subject: string;
  /** What is wrong and why it matters. */
  readonly message: string;
  /** The fix, concretely. */
  readonly fix: string;
}

export const SEVERITIES: readonly Severity[] = ['high', 'medium', 'low'];
