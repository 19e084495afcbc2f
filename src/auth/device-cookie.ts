import { createHash, randomBytes } from 'node:crypto';

/**
 * The browser's device token: a random value set at a successful sign-in, HttpOnly (no script
 * reads it), SameSite=Strict and limited to `/auth`, stored only as its SHA-256. A browser that
 * brings it back is one where the account signed in before (see LoginThrottle). It grants no
 * access by itself: the password is still checked.
 */
export const DEVICE_COOKIE = 'rd_device';

const TOKEN_SHAPE = /^[A-Za-z0-9_-]{43}$/;

export function newDeviceToken(): string {
  return randomBytes(32).toString('base64url');
}

export function hashDeviceToken(token: string): string {
  return createHash('sha256').update(token).digest('hex');
}

/** The well-formed device token of a `Cookie` header, else undefined. */
export function readDeviceToken(cookieHeader: string | string[] | undefined): string | undefined {
  const header = Array.isArray(cookieHeader) ? cookieHeader.join('; ') : (cookieHeader ?? '');
  for (const part of header.split(';')) {
    const eq = part.indexOf('=');
    if (eq === -1 || part.slice(0, eq).trim() !== DEVICE_COOKIE) continue;
    const value = part.slice(eq + 1).trim();
    if (TOKEN_SHAPE.test(value)) return value;
  }
  return undefined;
}

/** The `Set-Cookie` value; `secure` when the service is reached over https. */
export function deviceCookie(token: string, maxAgeSeconds: number, secure: boolean): string {
  return (
    `${DEVICE_COOKIE}=${token}; Path=/auth; Max-Age=${maxAgeSeconds}; HttpOnly; SameSite=Strict` +
    (secure ? '; Secure' : '')
  );
}
