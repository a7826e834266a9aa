import { execFileSync } from 'node:child_process';

/**
 * The TOTP code Debian's oathtool (an implementation independent of ours) computes for the Base32
 * `secret` at `ms` (epoch milliseconds; the wall clock when left out, as a browser test's gateway
 * runs on it).
 */
export function oathtool(secret: string, ms?: number): string {
  const at = ms === undefined ? [] : ['--now', `@${Math.floor(ms / 1000)}`];
  return execFileSync('oathtool', ['--totp=sha1', '-b', secret, ...at], { encoding: 'utf8' }).trim();
}
