/**
 * Sets of strings with one expiry for the whole set (a device's inbox, a user's known
 * environments). Expiry follows the gateway's clock.
 */
export interface SetStore {
  /** Adds members to a set and (re)sets the whole set's expiry; an expired set starts empty. */
  addToSet(key: string, ttlMs: number, ...members: string[]): Promise<void>;
  /** The members of a set, in no particular order (empty when absent or expired). */
  setMembers(key: string): Promise<string[]>;
  /** Whether the set holds the member (false when the set has expired). */
  isSetMember(key: string, member: string): Promise<boolean>;
  /** Removes members from a set. */
  removeFromSet(key: string, ...members: string[]): Promise<void>;
}
