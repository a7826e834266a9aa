import { randomUUID } from 'node:crypto';
import type { CredentialRepository, NewCredential, StoredCredential } from '../../ports/credentials.ts';

/** Credentials in process memory: for unit tests of plugins, the same port as Postgres. */
export class MemoryCredentialRepository implements CredentialRepository {
  private rows: StoredCredential[] = [];

  async list(userId: string, method?: string): Promise<StoredCredential[]> {
    return this.rows.filter((r) => r.userId === userId && (method === undefined || r.method === method));
  }

  async add(credential: NewCredential, now: number, options: { replace?: boolean } = {}) {
    if (options.replace) await this.removeAll(credential.userId, credential.method);
    const row: StoredCredential = { ...credential, id: randomUUID(), createdAt: now, lastUsedAt: null };
    this.rows.push(row);
    return row;
  }

  async remove(userId: string, method: string, id: string): Promise<boolean> {
    const before = this.rows.length;
    this.rows = this.rows.filter((r) => !(r.userId === userId && r.method === method && r.id === id));
    return this.rows.length < before;
  }

  async removeAll(userId: string, method: string): Promise<number> {
    const before = this.rows.length;
    this.rows = this.rows.filter((r) => !(r.userId === userId && r.method === method));
    return before - this.rows.length;
  }

  async touch(id: string, now: number): Promise<void> {
    this.rows = this.rows.map((r) => (r.id === id ? { ...r, lastUsedAt: now } : r));
  }

  async rename(userId: string, method: string, id: string, name: string): Promise<boolean> {
    const found = this.rows.some((r) => r.userId === userId && r.method === method && r.id === id);
    this.rows = this.rows.map((r) => (found && r.id === id ? { ...r, name } : r));
    return found;
  }
}
