import { createPool, migrate } from '../../adapters/pg/database.ts';
import { SekishoError } from '../../domain/errors.ts';
import { flag, parseInvocation } from '../args.ts';
import { loadCliConfig } from '../context.ts';

/** `sekisho migrate`: brings the auth DB schema up to date; running it again changes nothing. */
export async function migrateCommand(args: string[]): Promise<void> {
  const inv = parseInvocation(args, {});
  const config = loadCliConfig(flag(inv, 'config'));
  if (!config.database.url)
    throw new SekishoError('SEKISHO_ERR_CONFIG', 'config: database.url: required for migrate');
  const pool = createPool(config.database.url, config.database.schema, 1);
  try {
    const applied = await migrate(pool, config.database.schema);
    console.log(applied.length > 0 ? `applied migrations ${applied.join(', ')}` : 'database is up to date');
  } finally {
    await pool.end();
  }
}
