import { call, token } from './api.js';
import {
  $,
  alertError,
  clearAlert,
  el,
  currentUser,
  showSignedIn,
  wireSession,
} from './session.js';

interface Referral {
  id: string;
  rating: 'very_interested' | 'needs_work';
  score: number;
  need: string;
  contact: {
    name: string | null;
    title: string | null;
    phone: string | null;
    email: string | null;
    company: string | null;
  };
  repName: string | null;
  feedbackStatus: string | null;
  saleValue: number | null;
}

const FEEDBACK: [string, string][] = [
  ['contacted', 'Contacted'],
  ['meeting', 'Meeting'],
  ['won', 'Won'],
  ['lost', 'Lost'],
  ['unreachable', 'Unreachable'],
];

let clientId: string | null = null;
const fail = (e: unknown) => alertError(e, start);

async function start(): Promise<void> {
  if (!showSignedIn()) return;
  const me = currentUser();
  clientId = me?.clientId ?? (await call<{ clientId: string | null }>('GET', '/auth/me')).clientId;
  if (!clientId) return fail(new Error('This page is for client users.'));
  const client = await call<{ name: string }>('GET', `/clients/${clientId}`);
  $('title').textContent = `${client.name} · referrals`;
  if (!$<HTMLInputElement>('day').value)
    $<HTMLInputElement>('day').value = new Date().toISOString().slice(0, 10);
  await Promise.all([referrals(), keys(), hooks(), figures()]);
}

interface Rate {
  value: number | null;
  n: number;
  lower95: number;
  upper95: number;
}

/** The client's own report (callers are never named on this page). */
async function figures(): Promise<void> {
  const r = await call<{ totals: Record<string, number>; rates: Record<string, Rate> }>(
    'GET',
    `/reports/clients/${clientId}`,
  );
  const p = (x: Rate) =>
    x.value === null
      ? '—'
      : `${(x.value * 100).toFixed(1)}% (95%: ${(x.lower95 * 100).toFixed(1)}–${(x.upper95 * 100).toFixed(1)}%, n=${x.n})`;
  const t = r.totals;
  $('figures').textContent =
    `${t.dials} calls made for you, ${t.referrals} referrals (${t.veryInterested} very interested), ${t.published} handed over; success rate ${p(r.rates.successRate)}; your close rate ${p(r.rates.closeRate)}.`;
}

async function referrals(): Promise<void> {
  const day = $<HTMLInputElement>('day').value;
  const list = await call<Referral[]>('GET', `/referrals?day=${day}`);
  $('none').hidden = list.length > 0;
  const hot = list.filter((r) => r.rating === 'very_interested').length;
  $('summary').textContent = `${list.length} referrals, ${hot} very interested (call those today).`;
  $('referrals').replaceChildren(...list.map(card));
}

function card(r: Referral): HTMLElement {
  const box = el('article', undefined, {
    class: 'card',
    'aria-label': `Referral ${r.contact.company ?? r.contact.name ?? r.id}`,
  });
  box.append(
    el(
      'h3',
      `${r.rating === 'very_interested' ? 'HOT · Very interested' : 'Needs work'} · score ${r.score} · ${r.contact.company ?? ''}`,
    ),
    el(
      'p',
      [r.contact.name, r.contact.title, r.contact.phone, r.contact.email]
        .filter(Boolean)
        .join(' · '),
    ),
    el('p', r.need),
    el(
      'p',
      `Rep: ${r.repName ?? 'unassigned'} · status: ${r.feedbackStatus ?? 'new'}${r.saleValue !== null ? ` · sale ${r.saleValue}` : ''}`,
      {
        class: 'hint',
      },
    ),
  );
  const row = el('div', undefined, { class: 'row wrap' });
  const value = el('input', undefined, {
    type: 'number',
    min: '0',
    step: '0.01',
    'aria-label': 'Sale value',
  });
  const valueLabel = el('label', 'Sale value ');
  valueLabel.append(value);
  for (const [status, label] of FEEDBACK) {
    const b = el('button', label, { type: 'button' });
    b.addEventListener('click', () => {
      const body: Record<string, unknown> = { status };
      if (status === 'won' && value.value) body.saleValue = Number(value.value);
      call('POST', `/referrals/${r.id}/feedback`, body)
        .then(() => {
          clearAlert();
          return Promise.all([referrals(), figures()]);
        })
        .catch(fail);
    });
    row.append(b);
  }
  row.append(valueLabel);
  box.append(row);
  return box;
}

async function download(): Promise<void> {
  const day = $<HTMLInputElement>('day').value;
  const res = await fetch(`/referrals/export?date=${day}`, {
    headers: { authorization: `Bearer ${token()}` },
  });
  if (!res.ok) throw new Error(`The download failed (${res.status})`);
  const url = URL.createObjectURL(await res.blob());
  const a = el('a', undefined, { href: url, download: `referrals-${day}.csv` });
  document.body.append(a);
  a.click();
  a.remove();
  setTimeout(() => URL.revokeObjectURL(url), 10_000);
}

async function keys(): Promise<void> {
  const list = await call<
    { id: string; name: string | null; prefix: string; revokedAt: string | null }[]
  >('GET', `/clients/${clientId}/api-keys`);
  $('keys').replaceChildren(
    ...list.map((k) => {
      const li = el(
        'li',
        `${k.name ?? '(no name)'} · ${k.prefix}… ${k.revokedAt ? '(revoked)' : ''}`,
      );
      if (!k.revokedAt) {
        const b = el('button', 'Revoke', {
          type: 'button',
          'aria-label': `Revoke ${k.name ?? k.prefix}`,
        });
        b.addEventListener('click', () => {
          call('DELETE', `/clients/${clientId}/api-keys/${k.id}`).then(keys).catch(fail);
        });
        li.append(' ', b);
      }
      return li;
    }),
  );
}

async function createKey(): Promise<void> {
  const name = $<HTMLInputElement>('key-name').value.trim();
  const k = await call<{ key: string }>(
    'POST',
    `/clients/${clientId}/api-keys`,
    name ? { name } : {},
  );
  $('key-shown').textContent = `New key (shown once, copy it now): ${k.key}`;
  await keys();
}

async function hooks(): Promise<void> {
  const list = await call<
    { id: string; url: string; active: boolean; disabledReason: string | null }[]
  >('GET', `/clients/${clientId}/webhooks`);
  $('hooks').replaceChildren(
    ...list.map((h) => el('li', `${h.url} ${h.active ? '' : `(off: ${h.disabledReason ?? ''})`}`)),
  );
}

async function createHook(): Promise<void> {
  const h = await call<{ secret: string }>('POST', `/clients/${clientId}/webhooks`, {
    url: $<HTMLInputElement>('hook-url').value.trim(),
  });
  $('hook-shown').textContent = `Signing secret (shown once, copy it now): ${h.secret}`;
  await hooks();
}

function wire(id: string, f: () => Promise<void>): void {
  $(id).addEventListener('click', () => {
    f().catch(fail);
  });
}

wireSession(start);
wire('download', download);
wire('key-create', createKey);
wire('hook-create', createHook);
$('day').addEventListener('change', () => {
  referrals().catch(fail);
});
start().catch(fail);
