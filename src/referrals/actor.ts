import type { Principal } from '../auth/roles';

/** Who made a change, as kept in a referral's history. */
export interface Actor {
  kind: 'user' | 'api_key' | 'system';
  id: string | null;
}

export const SYSTEM: Actor = { kind: 'system', id: null };

export function actorOf(p: Principal): Actor {
  return p.kind === 'user' ? { kind: 'user', id: p.userId } : { kind: 'api_key', id: p.keyId };
}
