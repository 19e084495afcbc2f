import { call, token } from './api.js';
import { type Caller, type Campaign, CampaignEditor } from './campaign-editor.js';
import {
  $,
  alertError,
  clearAlert,
  currentUser,
  el,
  showSignedIn,
  wireSession,
} from './session.js';

interface Rate {
  value: number | null;
  n: number;
  lower80?: number;
  upper80?: number;
  lower95?: number;
  upper95?: number;
}
interface Report {
  totals: Record<string, number>;
  rates: Record<string, Rate>;
  groups: { key: string; rates: Record<string, Rate> }[];
  projection?: {
    dialsLeft: number;
    referrals: {
      expected: number;
      lower80: number;
      upper80: number;
      lower95: number;
      upper95: number;
    };
    sales: { expected: number; lower80: number; upper80: number };
    finishDate: string | null;
    successRate: { prior: { source: string }; dataWeight: number };
    target?: {
      referrals: number;
      dialsExpected: number;
      dialsAt80: number | null;
      callerHoursExpected: number;
      callerHoursAt80: number | null;
    };
  };
}
interface Referral {
  id: string;
  rating: string;
  score: number;
  need: string;
  reviewReason: string | null;
  problems: { field: string; message: string }[];
  contact: Record<string, string | null>;
}

const fail = (e: unknown) => alertError(e, start);
let clients: { id: string; name: string }[] = [];
let campaigns: Campaign[] = [];
let callers: Caller[] = [];
const pct = (x: number | null | undefined) =>
  x === null || x === undefined ? '—' : `${(x * 100).toFixed(1)}%`;
const RATE_NAMES: [string, string][] = [
  ['successRate', 'Success rate (referrals ÷ dials)'],
  ['referralsPerConnect', 'Referrals per connect'],
  ['hotShare', 'Very interested share'],
  ['closeRate', 'Close rate'],
  ['closeRateVeryInterested', 'Close rate, very interested'],
  ['closeRateNeedsWork', 'Close rate, needs work'],
  ['capShare', 'Calls that hit the cap'],
];

const clientId = () => $<HTMLSelectElement>('client').value;
const campaignId = () => $<HTMLSelectElement>('campaign').value;
const callerName = (id: string) => {
  const c = callers.find((k) => k.id === id);
  return c ? (c.name ?? c.email) : id;
};

const editor = new CampaignEditor({
  clientId,
  clientName: () => clients.find((c) => c.id === clientId())?.name ?? '',
  callers: () => callers,
  saved: async (c) => {
    await loadCampaigns(c.id);
    await refresh();
  },
});

async function start(): Promise<void> {
  if (!showSignedIn()) return;
  // The agency-wide list and registry extracts bind every client: admins only (the service agrees).
  $('dnc-admin-only').hidden = currentUser()?.role !== 'admin';
  [clients, callers] = await Promise.all([
    call<{ id: string; name: string }[]>('GET', '/clients'),
    call<Caller[]>('GET', '/callers'),
  ]);
  const select = $<HTMLSelectElement>('client');
  const keep = select.value;
  select.replaceChildren(...clients.map((c) => new Option(c.name, c.id)));
  if (keep && clients.some((c) => c.id === keep)) select.value = keep;
  await loadCampaigns();
  await refresh();
}

/** The selected client's campaigns; keeps the selection (or picks `pick`, or the first). */
async function loadCampaigns(pick?: string): Promise<void> {
  campaigns = clientId() ? await call<Campaign[]>('GET', `/campaigns?clientId=${clientId()}`) : [];
  const select = $<HTMLSelectElement>('campaign');
  const keep = pick ?? select.value;
  select.replaceChildren(...campaigns.map((c) => new Option(`${c.name} (${c.status})`, c.id)));
  if (keep && campaigns.some((c) => c.id === keep)) select.value = keep;
  const current = campaigns.find((c) => c.id === campaignId()) ?? null;
  $('campaign-status').textContent = current
    ? `${current.kind === 'b2b' ? 'B2B' : 'consumer'} · ${current.status}`
    : 'No campaign yet: create one.';
  editor.show(current);
  $<HTMLDetailsElement>('editor-box').open ||= !current;
}

/** Everything below the editor, for the selected campaign. */
async function refresh(): Promise<void> {
  await Promise.all([report(), queue(), groups(), deliveries()]);
}

async function report(): Promise<void> {
  if (!campaignId()) {
    $('totals').textContent = '';
    $('projection').textContent = '';
    return;
  }
  const r = await call<Report>('GET', `/reports/campaigns/${campaignId()}?groupBy=day`);
  const t = r.totals;
  $('totals').textContent =
    `${t.dials} dials · ${t.connects} connects · ${t.referrals} referrals (${t.veryInterested} very interested) · ${t.published} published · ${t.won} won · ${t.lost} lost`;
  $('rates')
    .querySelector('tbody')!
    .replaceChildren(
      ...RATE_NAMES.map(([k, label]) => {
        const x = r.rates[k];
        const tr = el('tr');
        tr.append(
          el('th', label, { scope: 'row' }),
          el('td', pct(x?.value)),
          el('td', String(x?.n ?? 0)),
          el('td', x?.lower80 === undefined ? '—' : `${pct(x.lower80)}–${pct(x.upper80)}`),
          el('td', x?.lower95 === undefined ? '—' : `${pct(x.lower95)}–${pct(x.upper95)}`),
        );
        return tr;
      }),
    );
  chart(r.groups);
  projection(r.projection);
}

function projection(p: Report['projection']): void {
  band(p);
  $('projection').textContent = p
    ? `${p.dialsLeft} dials left → ${p.referrals.expected.toFixed(1)} referrals expected (80%: ${p.referrals.lower80}–${p.referrals.upper80}, 95%: ${p.referrals.lower95}–${p.referrals.upper95}), ${p.sales.expected.toFixed(1)} sales (80%: ${p.sales.lower80}–${p.sales.upper80}); finish ${p.finishDate ?? 'unknown (no callers)'}. Prior: ${p.successRate.prior.source}, the campaign's own data weighs ${(p.successRate.dataWeight * 100).toFixed(0)}%.`
    : '';
}

/** Projected referrals as a bar: the 95% interval (light), the 80% one (dark), the expected value. */
function band(p: Report['projection']): void {
  const svg = $('projection-band');
  svg.hidden = !p || p.referrals.upper95 === 0;
  if (!p) return;
  const r = p.referrals;
  const W = 800;
  const pad = 30;
  const max = Math.max(1, r.upper95);
  const x = (v: number) => pad + (v / max) * (W - 2 * pad);
  const ns = 'http://www.w3.org/2000/svg';
  const shape = (tag: string, attrs: Record<string, string | number>, text?: string) => {
    const e = document.createElementNS(ns, tag);
    for (const [k, v] of Object.entries(attrs)) e.setAttribute(k, String(v));
    if (text !== undefined) e.textContent = text;
    return e;
  };
  svg.replaceChildren(
    shape('rect', {
      x: x(r.lower95),
      y: 8,
      width: Math.max(1, x(r.upper95) - x(r.lower95)),
      height: 20,
      fill: '#0969da33',
      'data-series': 'band95',
    }),
    shape('rect', {
      x: x(r.lower80),
      y: 8,
      width: Math.max(1, x(r.upper80) - x(r.lower80)),
      height: 20,
      fill: '#0969da77',
      'data-series': 'band80',
    }),
    shape('line', {
      x1: x(r.expected),
      x2: x(r.expected),
      y1: 4,
      y2: 32,
      stroke: '#1b1f24',
      'stroke-width': 2,
      'data-series': 'expected',
    }),
    shape('text', { x: x(r.lower95), y: 46, 'font-size': 12, fill: '#1b1f24' }, String(r.lower95)),
    shape(
      'text',
      { x: x(r.upper95), y: 46, 'font-size': 12, fill: '#1b1f24', 'text-anchor': 'end' },
      String(r.upper95),
    ),
  );
}

async function projectTarget(): Promise<void> {
  if (!campaignId()) return;
  const n = Number($<HTMLInputElement>('target').value);
  if (!Number.isInteger(n) || n < 1) throw new Error('Target referrals: a whole number above 0.');
  const r = await call<Report>('GET', `/reports/campaigns/${campaignId()}?target=${n}`);
  projection(r.projection);
  const t = r.projection?.target;
  $('target-answer').textContent = t
    ? `${t.referrals} referrals take about ${t.dialsExpected} dials (${t.dialsAt80 ?? 'more than the list'} to be 80% sure), ${t.callerHoursExpected} caller-hours (${t.callerHoursAt80 ?? '—'} to be 80% sure).`
    : 'No projection for this campaign yet.';
}

/** Success rate by day: line, 95% band, and the 8% industry line, as plain SVG. */
function chart(groups: Report['groups']): void {
  const svg = $('chart');
  const W = 800;
  const H = 240;
  const pad = 30;
  const pts = groups.filter((g) => g.rates.successRate.value !== null);
  const max = Math.max(0.2, ...pts.map((g) => g.rates.successRate.upper95 ?? 0));
  const x = (i: number) =>
    pad + (pts.length <= 1 ? (W - 2 * pad) / 2 : (i * (W - 2 * pad)) / (pts.length - 1));
  const y = (v: number) => H - pad - (v / max) * (H - 2 * pad);
  const ns = 'http://www.w3.org/2000/svg';
  const shape = (tag: string, attrs: Record<string, string>) => {
    const e = document.createElementNS(ns, tag);
    for (const [k, v] of Object.entries(attrs)) e.setAttribute(k, v);
    return e;
  };
  const parts: Element[] = [
    shape('line', {
      x1: String(pad),
      x2: String(W - pad),
      y1: String(y(0)),
      y2: String(y(0)),
      stroke: '#57606a',
    }),
    shape('line', {
      x1: String(pad),
      x2: String(W - pad),
      y1: String(y(0.08)),
      y2: String(y(0.08)),
      stroke: '#bc4c00',
      'stroke-dasharray': '6 4',
      'data-series': 'industry',
    }),
  ];
  if (pts.length) {
    const upper = pts.map((g, i) => `${x(i)},${y(g.rates.successRate.upper95 ?? 0)}`);
    const lower = pts.map((g, i) => `${x(i)},${y(g.rates.successRate.lower95 ?? 0)}`).reverse();
    parts.push(
      shape('polygon', {
        points: [...upper, ...lower].join(' '),
        fill: '#0969da33',
        'data-series': 'band',
      }),
    );
    parts.push(
      shape('polyline', {
        points: pts.map((g, i) => `${x(i)},${y(g.rates.successRate.value ?? 0)}`).join(' '),
        fill: 'none',
        stroke: '#0969da',
        'stroke-width': '2',
        'data-series': 'success',
      }),
    );
    for (const [i, g] of pts.entries()) {
      const dot = shape('circle', {
        cx: String(x(i)),
        cy: String(y(g.rates.successRate.value ?? 0)),
        r: '3',
        fill: '#0969da',
      });
      const title = shape('title', {});
      title.textContent = `${g.key}: ${pct(g.rates.successRate.value)}`;
      dot.append(title);
      parts.push(dot);
    }
  }
  svg.replaceChildren(...parts);
}

async function groups(): Promise<void> {
  if (!campaignId()) return;
  const by = $<HTMLSelectElement>('group-by').value;
  const r = await call<{
    groups: {
      key: string;
      totals: Record<string, number>;
      rates: Record<string, Rate>;
      comparisons?: { other: string; probabilityBetter: number }[];
    }[];
  }>(
    'GET',
    by === 'campaign'
      ? `/reports/clients/${clientId()}?groupBy=campaign`
      : `/reports/campaigns/${campaignId()}?groupBy=${by}`,
  );
  const label = (key: string) =>
    by === 'caller'
      ? callerName(key)
      : by === 'campaign'
        ? (campaigns.find((c) => c.id === key)?.name ?? key)
        : key;
  $('groups')
    .querySelector('tbody')!
    .replaceChildren(
      ...r.groups.map((g) => {
        const tr = el('tr');
        const s = g.rates.successRate;
        tr.append(
          el('th', label(g.key) || '(none)', { scope: 'row' }),
          el('td', String(g.totals.dials)),
          el('td', String(g.totals.referrals)),
          el('td', pct(s.value)),
          el('td', s.lower95 === undefined ? '—' : `${pct(s.lower95)}–${pct(s.upper95)}`),
          el('td', pct(g.rates.closeRate?.value)),
          el(
            'td',
            (g.comparisons ?? [])
              .map(
                (c) =>
                  `vs ${label(c.other) || '(none)'}: ${(c.probabilityBetter * 100).toFixed(0)}%`,
              )
              .join(' · ') || '—',
          ),
        );
        return tr;
      }),
    );
}

async function deliveries(): Promise<void> {
  if (!clientId()) return;
  const list = await call<
    {
      createdAt: string;
      url: string;
      status: string;
      attempts: number;
      lastStatusCode: number | null;
      lastError: string | null;
    }[]
  >('GET', `/clients/${clientId()}/webhook-deliveries?limit=50`);
  $('deliveries')
    .querySelector('tbody')!
    .replaceChildren(
      ...list.map((d) => {
        const tr = el('tr');
        tr.append(
          el('td', new Date(d.createdAt).toLocaleString()),
          el('td', d.url),
          el('td', d.status),
          el('td', String(d.attempts)),
          el('td', d.lastError ?? (d.lastStatusCode === null ? '—' : String(d.lastStatusCode))),
        );
        return tr;
      }),
    );
}

async function upload(): Promise<void> {
  const file = $<HTMLInputElement>('file').files?.[0];
  if (!file) throw new Error('Choose a CSV file first.');
  clearAlert();
  const res = await fetch(`/campaigns/${campaignId()}/imports`, {
    method: 'POST',
    headers: { authorization: `Bearer ${token()}`, 'content-type': 'text/csv' },
    body: file,
  });
  const started = (await res.json()) as { id?: string; message?: string };
  if (!res.ok || !started.id) throw new Error(started.message ?? `Upload failed (${res.status})`);
  const bar = $<HTMLProgressElement>('progress');
  bar.hidden = false;
  for (;;) {
    const r = await call<{
      status: string;
      bytesRead: number;
      bytesTotal: number;
      received: number;
      imported: number;
      duplicates: number;
      invalid: number;
      dnc: number;
      failureReason: string | null;
      errors: { line: number; reason: string }[];
    }>('GET', `/campaigns/${campaignId()}/imports/${started.id}`);
    bar.value = r.bytesTotal ? Math.round((100 * r.bytesRead) / r.bytesTotal) : 0;
    if (r.status !== 'running') {
      bar.value = 100;
      $('import-report').textContent =
        r.status === 'failed'
          ? `Import failed: ${r.failureReason ?? 'unknown reason'}; nothing was imported.`
          : `Import done: ${r.received} rows received, ${r.imported} imported, ${r.duplicates} duplicates, ${r.invalid} invalid, ${r.dnc} on do-not-call lists.`;
      $('import-errors').replaceChildren(
        ...r.errors.map((e) => el('li', `line ${e.line}: ${e.reason}`)),
      );
      await report();
      return;
    }
    await new Promise((ok) => setTimeout(ok, 300));
  }
}

async function queue(): Promise<void> {
  if (!campaignId()) return;
  const list = await call<Referral[]>(
    'GET',
    `/referrals?status=needs_review&campaignId=${campaignId()}`,
  );
  $('queue-empty').hidden = list.length > 0;
  $('queue').replaceChildren(
    ...list.map((r) => {
      const box = el('article', undefined, {
        class: 'card',
        'aria-label': `Review ${r.contact.company ?? r.contact.name ?? r.id}`,
      });
      box.append(
        el(
          'h3',
          `${r.rating === 'very_interested' ? 'Very interested' : 'Needs work'} · score ${r.score} · ${r.contact.company ?? '(no company)'} · ${r.reviewReason ?? ''}`,
        ),
        el('p', r.need),
        el('p', r.problems.map((p) => `${p.field}: ${p.message}`).join(' · ') || 'Complete.', {
          class: 'hint',
        }),
      );
      const field = (label: string, value: string) => {
        const input = el('input', undefined, { value });
        const wrap = el('label', `${label} `);
        wrap.append(input);
        return { input, wrap };
      };
      const title = field('Title', r.contact.title ?? '');
      const company = field('Company', r.contact.company ?? '');
      const reason = field('Reason to return', '');
      const approve = el('button', 'Approve', { type: 'button' });
      approve.addEventListener('click', () => {
        const contact: Record<string, string> = {};
        if (title.input.value.trim()) contact.title = title.input.value.trim();
        if (company.input.value.trim()) contact.company = company.input.value.trim();
        call('POST', `/referrals/${r.id}/approve`, Object.keys(contact).length ? { contact } : {})
          .then(() => Promise.all([queue(), report()]))
          .catch(fail);
      });
      const giveBack = el('button', 'Return to caller', { type: 'button' });
      giveBack.addEventListener('click', () => {
        call('POST', `/referrals/${r.id}/return`, { reason: reason.input.value.trim() })
          .then(queue)
          .catch(fail);
      });
      const row = el('div', undefined, { class: 'row wrap' });
      row.append(title.wrap, company.wrap, approve, reason.wrap, giveBack);
      box.append(row);
      return box;
    }),
  );
}

async function dncAdd(): Promise<void> {
  const phone = $<HTMLInputElement>('dnc-phone').value.trim();
  await call('POST', '/dnc', { phone, clientId: clientId() });
  $('dnc-result').textContent =
    `${phone} is on the client's do-not-call list; it will not be called again.`;
}

async function dncCheck(): Promise<void> {
  const phone = $<HTMLInputElement>('dnc-phone').value.trim();
  const r = await call<{
    phone: string;
    listed: boolean;
    entries?: { clientId: string | null; source: string }[];
  }>('GET', `/dnc/${encodeURIComponent(phone)}`);
  $('dnc-result').textContent = r.listed
    ? `${r.phone} is listed (${(r.entries ?? []).map((e) => `${e.clientId ? 'client' : 'global'} list, ${e.source}`).join('; ')}).`
    : `${r.phone} is not on any list you can see.`;
}

/** A list of numbers for the client's list; an admin's may be the agency's or a registry extract. */
async function dncUpload(): Promise<void> {
  const file = $<HTMLInputElement>('dnc-file').files?.[0];
  if (!file) throw new Error('Choose the list file first.');
  const admin = !$('dnc-admin-only').hidden;
  const registry = admin && $<HTMLInputElement>('dnc-registry').checked;
  const obtained = registry ? $<HTMLInputElement>('dnc-obtained').value : '';
  if (registry && !obtained) throw new Error('A registry extract needs the date it was obtained.');
  const q = new URLSearchParams();
  if (!(admin && $<HTMLInputElement>('dnc-global').checked)) q.set('clientId', clientId());
  if (registry) q.set('registry', 'true');
  if (obtained) q.set('obtainedAt', obtained);
  const res = await fetch(`/dnc/imports?${q.toString()}`, {
    method: 'POST',
    headers: { authorization: `Bearer ${token()}`, 'content-type': 'text/csv' },
    body: file,
  });
  const r = (await res.json()) as {
    message?: string;
    received: number;
    added: number;
    alreadyListed: number;
    invalid: number;
    errors: { line: number; reason: string }[];
  };
  if (!res.ok) throw new Error(r.message ?? `Upload failed (${res.status})`);
  $('dnc-upload-report').textContent =
    `List uploaded: ${r.received} numbers received, ${r.added} added, ${r.alreadyListed} already listed, ${r.invalid} invalid.`;
  $('dnc-upload-errors').replaceChildren(
    ...r.errors.map((e) => el('li', `line ${e.line}: ${e.reason}`)),
  );
}

async function newClient(): Promise<void> {
  const c = await call<{ id: string; name: string }>('POST', '/clients', {
    name: $<HTMLInputElement>('nc-name').value.trim(),
    timezone: $<HTMLInputElement>('nc-zone').value.trim(),
  });
  $<HTMLInputElement>('nc-name').value = '';
  $<HTMLDetailsElement>('new-client-box').open = false;
  await start();
  $<HTMLSelectElement>('client').value = c.id;
  await loadCampaigns();
  await refresh();
}

wireSession(start);
const act = (f: () => Promise<unknown>) => () => {
  clearAlert();
  f().catch(fail);
};
$('editor').addEventListener('submit', (ev) => {
  ev.preventDefault();
  act(() => editor.save())();
});
$('activate').addEventListener(
  'click',
  act(() => editor.setStatus('active')),
);
$('pause').addEventListener(
  'click',
  act(() => editor.setStatus('paused')),
);
$('close-campaign').addEventListener(
  'click',
  act(() => editor.setStatus('closed')),
);
$('new-campaign').addEventListener('click', () => {
  editor.show(null);
  $<HTMLDetailsElement>('editor-box').open = true;
  $('e-name').focus();
});
$('new-client').addEventListener('submit', (ev) => {
  ev.preventDefault();
  act(newClient)();
});
$('target-form').addEventListener('submit', (ev) => {
  ev.preventDefault();
  act(projectTarget)();
});
$('client').addEventListener(
  'change',
  act(async () => {
    await loadCampaigns();
    await refresh();
  }),
);
for (const [id, f] of [
  ['dnc-add', dncAdd],
  ['dnc-check', dncCheck],
  ['dnc-upload', dncUpload],
] as const) {
  $(id).addEventListener('click', () => {
    clearAlert();
    f().catch(fail);
  });
}
$('upload').addEventListener('click', () => {
  upload().catch(fail);
});
$('campaign').addEventListener(
  'change',
  act(async () => {
    await loadCampaigns();
    await refresh();
  }),
);
$('group-by').addEventListener('change', () => {
  groups().catch(fail);
});
start().catch(fail);
