import type { CredentialRepository } from '../../ports/credentials.ts';
import type {
  NewWebAuthnCredential,
  StoredWebAuthnCredential,
  WebAuthnCredentialRepository,
} from '../../ports/webauthn-credentials.ts';

/**
 * Passkeys in process memory, for unit tests of plugins: the WebAuthn half is kept here, the
 * general record in the given credential repository (removing it there removes the passkey).
 */
export class MemoryWebAuthnRepository implements WebAuthnCredentialRepository {
  private readonly credentials: CredentialRepository;
  private readonly rows = new Map<string, NewWebAuthnCredential & { id: string; userId: string }>();

  constructor(credentials: CredentialRepository) {
    this.credentials = credentials;
  }

  async add(userId: string, method: string, name: string, credential: NewWebAuthnCredential, now: number) {
    const record = await this.credentials.add({ userId, method, name, data: {} }, now);
    this.rows.set(credential.credentialId, { ...credential, id: record.id, userId });
    return { ...credential, id: record.id, userId, name, createdAt: now, lastUsedAt: null };
  }

  async find(credentialId: string): Promise<StoredWebAuthnCredential | null> {
    const row = this.rows.get(credentialId);
    if (!row) return null;
    const record = (await this.credentials.list(row.userId)).find((c) => c.id === row.id);
    if (!record) return null;
    return { ...row, name: record.name, createdAt: record.createdAt, lastUsedAt: record.lastUsedAt };
  }

  async list(userId: string): Promise<StoredWebAuthnCredential[]> {
    const found = await Promise.all(
      [...this.rows.values()].filter((r) => r.userId === userId).map((r) => this.find(r.credentialId)),
    );
    return found.filter((c): c is StoredWebAuthnCredential => c !== null);
  }

  async recordUse(credentialId: string, expected: number, next: number, backedUp: boolean, now: number) {
    const row = this.rows.get(credentialId);
    if (!row || row.signCount !== expected) return false;
    this.rows.set(credentialId, { ...row, signCount: next, backedUp });
    await this.credentials.touch(row.id, now);
    return true;
  }
}
