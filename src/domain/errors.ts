/** Stable error codes: the CLI, the HTTP error handler and logs all key on these. */
export type SekishoErrorCode =
  | 'SEKISHO_ERR_CONFIG'
  | 'SEKISHO_ERR_USAGE'
  | 'SEKISHO_ERR_RULE_INVALID'
  | 'SEKISHO_ERR_RULE_NOT_FOUND'
  | 'SEKISHO_ERR_RULE_CONFLICT'
  | 'SEKISHO_ERR_USER_EXISTS'
  | 'SEKISHO_ERR_USER_NOT_FOUND'
  | 'SEKISHO_ERR_USER_INVALID'
  | 'SEKISHO_ERR_GROUP_NOT_FOUND'
  | 'SEKISHO_ERR_GROUP_EXISTS'
  | 'SEKISHO_ERR_STORE_UNAVAILABLE'
  | 'SEKISHO_ERR_DATABASE_UNAVAILABLE'
  | 'SEKISHO_ERR_NOT_READY';

/** An exceptional condition with a stable code; the message is safe to show an admin. */
export class SekishoError extends Error {
  readonly code: SekishoErrorCode;

  constructor(code: SekishoErrorCode, message: string, options?: { cause?: unknown }) {
    super(message, options);
    this.name = 'SekishoError';
    this.code = code;
  }
}

export function isSekishoError(error: unknown, code?: SekishoErrorCode): error is SekishoError {
  return error instanceof SekishoError && (code === undefined || error.code === code);
}
