import type { CampaignStatus, Variant } from './campaign.entity';

/** Which status changes are allowed: draft → active ⇄ paused → closed (a draft may be closed). */
const TRANSITIONS: Record<CampaignStatus, readonly CampaignStatus[]> = {
  draft: ['active', 'closed'],
  active: ['paused', 'closed'],
  paused: ['active', 'closed'],
  closed: [],
};

export function canTransition(from: CampaignStatus, to: CampaignStatus): boolean {
  return from === to || TRANSITIONS[from].includes(to);
}

/** What stops a campaign from going active, in words; empty when it may. */
export function activationProblems(c: {
  script: string;
  clientName: string;
  callerId: string | null;
  callerCount: number;
}): string[] {
  const problems: string[] = [];
  const script = c.script.toLowerCase();
  if (!c.script.trim()) problems.push('the script is empty');
  else if (!script.includes(c.clientName.trim().toLowerCase())) {
    problems.push(`the script does not name the client ("${c.clientName}")`);
  }
  if (!c.callerId) problems.push('no caller ID number is set');
  if (c.callerCount === 0) problems.push('no caller is assigned');
  return problems;
}

/** Gives each pitch or offer a stable key from its name (`Savings first` → `savings-first`), unique in its list. */
export function withKeys(variants: { name: string; text: string }[]): Variant[] {
  const used = new Set<string>();
  return variants.map((v) => {
    const base =
      v.name
        .toLowerCase()
        .normalize('NFKD')
        .replace(/[^a-z0-9]+/g, '-')
        .replace(/^-+|-+$/g, '')
        .slice(0, 50) || 'variant';
    let key = base;
    for (let i = 2; used.has(key); i++) key = `${base}-${i}`;
    used.add(key);
    return { key, name: v.name.trim(), text: v.text };
  });
}
