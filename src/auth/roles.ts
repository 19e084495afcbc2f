/** Who a principal is. Staff roles work for the agency; `client` users belong to one client company. */
export const ROLES = ['admin', 'account_manager', 'caller', 'client'] as const;
export type Role = (typeof ROLES)[number];

/** An API key acts for one client's systems (feeds, feedback). It is not a user. */
export const API_KEY = 'api_key' as const;
export type Audience = Role | typeof API_KEY;

export type Principal =
  | { kind: 'user'; userId: string; role: Role; clientId: string | null; email: string }
  | { kind: 'api_key'; keyId: string; clientId: string };
