import { parseArgs, type ParseArgsConfig } from 'node:util';
import { SekishoError } from '../domain/errors.ts';

/** Parsed command line: positionals after the command words, and flags. */
export interface Invocation {
  readonly positionals: string[];
  readonly flags: Record<string, string | boolean | (string | boolean)[] | undefined>;
}

const common: NonNullable<ParseArgsConfig['options']> = {
  config: { type: 'string' },
  help: { type: 'boolean', short: 'h' },
};

/** Parses flags strictly: an unknown flag is a usage error (exit 2). */
export function parseInvocation(
  args: string[],
  options: NonNullable<ParseArgsConfig['options']>,
): Invocation {
  try {
    const { values, positionals } = parseArgs({
      args,
      options: { ...common, ...options },
      allowPositionals: true,
      strict: true,
    });
    return { positionals, flags: values };
  } catch (error) {
    throw usageError(error instanceof Error ? error.message : String(error));
  }
}

export function usageError(message: string): SekishoError {
  return new SekishoError('SEKISHO_ERR_USAGE', message);
}

/** The single positional a command needs. */
export function one(invocation: Invocation, what: string): string {
  const [value, ...rest] = invocation.positionals;
  if (!value || rest.length > 0) throw usageError(`expected exactly one ${what}`);
  return value;
}

export function flag(invocation: Invocation, name: string): string | undefined {
  const value = invocation.flags[name];
  return typeof value === 'string' ? value : undefined;
}

/** Reads a secret from standard input (first line, trailing newline removed). */
export async function readStdinLine(): Promise<string> {
  const chunks: Buffer[] = [];
  for await (const chunk of process.stdin) chunks.push(chunk as Buffer);
  const text = Buffer.concat(chunks).toString('utf8');
  const line = text.split(/\r?\n/)[0] ?? '';
  if (line.length === 0) throw usageError('expected the password on standard input');
  return line;
}
