import { createHash, randomBytes } from 'node:crypto';

/** API keys look like `rdk_<43 base64url chars>`: 256 random bits, recognisable in logs and scanners. */
export const API_KEY_PREFIX = 'rdk_';
const VISIBLE_CHARS = 12;

export function newApiKey(): { key: string; prefix: string; hash: string } {
  const key = API_KEY_PREFIX + randomBytes(32).toString('base64url');
  return { key, prefix: key.slice(0, VISIBLE_CHARS), hash: hashApiKey(key) };
}

export function looksLikeApiKey(token: string): boolean {
  return token.startsWith(API_KEY_PREFIX);
}

export function hashApiKey(key: string): string {
  return createHash('sha256').update(key).digest('hex');
}
