import { isSekishoError } from '../../domain/errors.ts';

/** A posted or queried form: only string fields count. */
export type Fields = Readonly<Record<string, unknown>>;

/** A trimmed text field, at most `max` characters ('' when absent or not text). */
export function text(fields: Fields | undefined, name: string, max = 256): string {
  const value = fields?.[name];
  return typeof value === 'string' ? value.trim().slice(0, max) : '';
}

/** A field left as typed (passwords: spaces count), at most `max` characters. */
export function raw(fields: Fields | undefined, name: string, max = 1024): string {
  const value = fields?.[name];
  return typeof value === 'string' ? value.slice(0, max) : '';
}

/** Every value of a repeated field (checkboxes). */
export function list(fields: Fields | undefined, name: string): string[] {
  const value = fields?.[name];
  const values = Array.isArray(value) ? value : [value];
  return values.filter((v): v is string => typeof v === 'string' && v.trim() !== '').map((v) => v.trim());
}

/** A non-negative integer field, or `fallback`. */
export function whole(fields: Fields | undefined, name: string, fallback: number): number {
  const value = text(fields, name, 16);
  return /^[0-9]{1,15}$/.test(value) ? Number(value) : fallback;
}

/**
 * The status and message of a refusal the admin can act on (a SekishoError: bad input, not
 * found, already exists or changed meanwhile); null for anything else, which goes to the error handler.
 */
export function refusal(error: unknown): { status: number; message: string } | null {
  if (!isSekishoError(error)) return null;
  switch (error.code) {
    case 'SEKISHO_ERR_RULE_INVALID':
    case 'SEKISHO_ERR_USER_INVALID':
    case 'SEKISHO_ERR_GROUP_NOT_FOUND':
    case 'SEKISHO_ERR_USAGE':
      return { status: 400, message: error.message };
    case 'SEKISHO_ERR_RULE_CONFLICT':
    case 'SEKISHO_ERR_USER_EXISTS':
    case 'SEKISHO_ERR_GROUP_EXISTS':
      return { status: 409, message: error.message };
    case 'SEKISHO_ERR_RULE_NOT_FOUND':
    case 'SEKISHO_ERR_USER_NOT_FOUND':
      return { status: 404, message: error.message };
    default:
      return null;
  }
}
