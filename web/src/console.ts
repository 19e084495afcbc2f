import { ApiError, call } from './api.js';
import {
  $,
  alertError as showError,
  clearAlert,
  currentUser,
  el,
  type Me,
  showSignedIn,
  wireSession,
} from './session.js';
import { type PhoneEvent, SimulatedSoftphone, type Softphone } from './softphone.js';
import { NOT_PLACED, TwilioSoftphone } from './twilio-softphone.js';
import { nowIn, zonedToIso } from './zones.js';

interface NextContact {
  callId: string;
  contact: {
    company: string | null;
    firstName: string | null;
    lastName: string | null;
    title: string | null;
    phone: string;
    email: string | null;
    timezone: string | null;
    localTime: string | null;
    attempts: number;
  };
  campaign: { id: string; name: string; script: string; talkCapSeconds: number };
  pitch: { name: string; text: string } | null;
  offer: { name: string; text: string } | null;
  earlierCalls?: {
    at: string;
    caller: string | null;
    byYou: boolean;
    disposition: string;
    notes: string | null;
  }[];
}

interface TokenAnswer {
  mode: 'twilio' | 'simulated';
  token: string | null;
}

const DISPOSITIONS: [string, string][] = [
  ['no_answer', 'No answer'],
  ['busy', 'Busy'],
  ['voicemail', 'Voicemail'],
  ['wrong_number', 'Wrong number'],
  ['gatekeeper', 'Gatekeeper'],
  ['not_interested', 'Not interested'],
  ['recall', 'Recall'],
  ['do_not_call', 'Do not call'],
  ['referral', 'Referral'],
];
const MIN_NEED = 40;
/** The keypad's keys: the digit sent, the button's id and its accessible name. */
const KEYS: [string, string, string][] = [
  ...'123456789'.split('').map((d): [string, string, string] => [d, `key-${d}`, `Key ${d}`]),
  ['*', 'key-star', 'Key star'],
  ['0', 'key-0', 'Key 0'],
  ['#', 'key-pound', 'Key pound'],
];
const IN_CALL_BUTTONS = ['mute', 'extend', ...KEYS.map(([, id]) => id)];

const show = (id: string, on = true) => ($(id).hidden = !on);

let me: Me | null = null;
let current: NextContact | null = null;
let disposition: string | null = null;
let dialed = false;
let capTimer: number | null = null;
let capEndsAt = 0;
/** Whether the contact is on the line (the keys 0–9, * and # then go to the keypad). */
let onLine = false;
const simulated = new SimulatedSoftphone();
let twilioPhone: TwilioSoftphone | null = null;
let phone: Softphone = simulated;

/** The phone for the service's telephony mode: Twilio's Voice SDK, or the simulated phone. */
function phoneFor(mode: string): Softphone {
  if (mode !== 'twilio') return simulated;
  if (!twilioPhone) {
    twilioPhone = new TwilioSoftphone(async () => {
      const t = await call<TokenAnswer>('GET', '/telephony/token');
      if (!t.token) throw new Error('the service is not set up for Twilio');
      return t.token;
    });
    twilioPhone.on(onPhone);
  }
  return twilioPhone;
}

const alertError = (e: unknown) => showError(e, start);

function setState(words: string): void {
  $('call-state').textContent = words;
}

async function start(): Promise<void> {
  if (!showSignedIn()) return;
  me = currentUser();
  const campaigns = await call<{ id: string; name: string; status: string }[]>('GET', '/campaigns');
  const active = campaigns.filter((c) => c.status === 'active');
  const select = $<HTMLSelectElement>('campaign');
  select.replaceChildren(...active.map((c) => new Option(c.name, c.id)));
  show('campaign-label', active.length > 1);
  // The token answer says the mode; the SDK is loaded only with Twilio (its Device waits for Call).
  const mode = await call<TokenAnswer>('GET', '/telephony/token').then(
    (t) => t.mode,
    () => 'simulated',
  );
  phone = phoneFor(mode);
  if (phone instanceof TwilioSoftphone) phone.preload().catch(alertError);
  await figures();
}

async function figures(): Promise<void> {
  if (!me) return;
  const today = new Date().toISOString().slice(0, 10);
  try {
    const r = await call<{
      totals: { dials: number; connects: number; referrals: number };
      rates: { successRate: { value: number | null } };
    }>('GET', `/reports/callers/${me.id}?from=${today}&to=${today}`);
    const rate = r.rates.successRate.value;
    $('figures').textContent =
      `Today: ${r.totals.dials} dials · ${r.totals.connects} connects · ${r.totals.referrals} referrals · success ${
        rate === null ? '—' : (rate * 100).toFixed(1) + '%'
      } (industry line 8%)`;
    $('figures').className = rate !== null && rate < 0.08 ? 'warn' : '';
  } catch {
    // Figures are a nicety; the work goes on without them.
  }
}

async function next(): Promise<void> {
  clearAlert();
  const campaignId = $<HTMLSelectElement>('campaign').value || undefined;
  const c = await call<NextContact | undefined>(
    'POST',
    '/calls/next',
    campaignId ? { campaignId } : {},
  );
  resetCall();
  current = c ?? null;
  show('empty', !c);
  show('contact', !!c);
  show('phone', !!c);
  show('outcome', !!c);
  if (!c) return;
  const k = c.contact;
  $('contact-company').textContent = k.company ?? '(no company)';
  $('contact-person').textContent =
    [k.firstName, k.lastName].filter(Boolean).join(' ') + (k.title ? ` — ${k.title}` : '');
  $('contact-phone').textContent = k.phone;
  $('contact-time').textContent = `${k.localTime ?? '?'} (${k.timezone ?? 'zone unknown'})`;
  $('contact-attempts').textContent = String(k.attempts);
  $('script').textContent = c.campaign.script;
  $('variant').textContent = [
    c.pitch && `Pitch: ${c.pitch.name} — ${c.pitch.text}`,
    c.offer && `Offer: ${c.offer.name} — ${c.offer.text}`,
  ]
    .filter(Boolean)
    .join(' · ');
  $<HTMLInputElement>('r-name').value = [k.firstName, k.lastName].filter(Boolean).join(' ');
  $<HTMLInputElement>('r-title').value = k.title ?? '';
  $<HTMLInputElement>('r-phone').value = k.phone;
  $<HTMLInputElement>('r-email').value = k.email ?? '';
  $<HTMLInputElement>('r-company').value = k.company ?? '';
  showEarlierCalls(c.earlierCalls ?? []);
  $('call').focus();
}

function showEarlierCalls(calls: NonNullable<NextContact['earlierCalls']>): void {
  const label = new Map(DISPOSITIONS);
  const when = new Intl.DateTimeFormat(undefined, { dateStyle: 'medium', timeStyle: 'short' });
  $('earlier').replaceChildren(
    ...calls.map((k) => {
      const li = el(
        'li',
        `${when.format(new Date(k.at))} · ${k.byYou ? 'you' : (k.caller ?? 'a colleague')} · ${
          label.get(k.disposition) ?? k.disposition
        }`,
      );
      if (k.notes) li.append(el('q', k.notes));
      return li;
    }),
  );
  show('earlier-none', calls.length === 0);
}

function resetCall(): void {
  dialed = false;
  disposition = null;
  setState('ready');
  stopCountdown();
  offLine();
  $('dtmf').textContent = '';
  $<HTMLButtonElement>('call').disabled = false;
  for (const id of ['hang-up', 'sim-answer', 'sim-no-answer', 'sim-busy', 'save'])
    $<HTMLButtonElement>(id).disabled = true;
  show('simulator', false);
  show('referral', false);
  show('recall-label', false);
  $<HTMLTextAreaElement>('notes').value = '';
  $<HTMLTextAreaElement>('need').value = '';
  for (const b of document.querySelectorAll<HTMLButtonElement>('#dispositions button'))
    b.setAttribute('aria-pressed', 'false');
}

async function dial(): Promise<void> {
  if (!current) return;
  clearAlert();
  const answer = await call<{ mode: string; params?: { callId: string }; capSeconds: number }>(
    'POST',
    `/calls/${current.callId}/dial`,
  );
  phone = phoneFor(answer.mode);
  dialed = true;
  capEndsAt = 0;
  current.campaign.talkCapSeconds = answer.capSeconds;
  $<HTMLButtonElement>('call').disabled = true;
  $<HTMLButtonElement>('hang-up').disabled = false;
  show('simulator', answer.mode === 'simulated');
  await phone.connect(answer.params?.callId ?? current.callId);
}

/** The contact is no longer on the line: mute, extend and the keypad go off. */
function offLine(): void {
  onLine = false;
  for (const id of IN_CALL_BUTTONS) $<HTMLButtonElement>(id).disabled = true;
  $('mute').setAttribute('aria-pressed', 'false');
}

function onPhone(event: PhoneEvent, detail?: string): void {
  if (event === 'ringing') {
    setState('ringing');
    for (const id of ['sim-answer', 'sim-no-answer', 'sim-busy'])
      $<HTMLButtonElement>(id).disabled = false;
  } else if (event === 'accept') {
    setState('in call');
    onLine = true;
    for (const id of IN_CALL_BUTTONS) $<HTMLButtonElement>(id).disabled = false;
    for (const id of ['sim-answer', 'sim-no-answer', 'sim-busy'])
      $<HTMLButtonElement>(id).disabled = true;
    startCountdown(current?.campaign.talkCapSeconds ?? 300);
  } else if (event === 'disconnect' && detail === NOT_PLACED && current) {
    // The device failed before Twilio had the call: take the dial back, so Call works again.
    const callId = current.callId;
    call('POST', `/calls/${callId}/cancel-dial`)
      .then(() => {
        if (current?.callId !== callId) return;
        dialed = false;
        setState('ended (not placed): fix the problem above and call again');
        $<HTMLButtonElement>('call').disabled = false;
        $<HTMLButtonElement>('hang-up').disabled = true;
      })
      .catch(alertError);
  } else if (event === 'disconnect') {
    setState(detail ? `ended (${detail.replace('-', ' ')})` : 'ended');
    stopCountdown();
    offLine();
    for (const id of ['hang-up', 'sim-answer', 'sim-no-answer', 'sim-busy'])
      $<HTMLButtonElement>(id).disabled = true;
    $(
      detail === 'busy' ? 'd-busy' : detail === 'no-answer' ? 'd-no_answer' : 'd-not_interested',
    ).focus();
  } else if (event === 'error') {
    alertError(new Error(detail));
  }
}
simulated.on(onPhone);

/** A key of the keypad: the tone goes down the line (DTMF) and the digit shows beside the keypad. */
function press(digit: string): void {
  if (!onLine) return;
  phone.sendDigits(digit);
  $('dtmf').textContent += digit;
}

function startCountdown(seconds: number): void {
  capEndsAt = Date.now() + seconds * 1000;
  const tick = () => {
    const left = Math.max(0, Math.round((capEndsAt - Date.now()) / 1000));
    $('countdown').textContent =
      `Talk cap: ${Math.floor(left / 60)}:${String(left % 60).padStart(2, '0')} left`;
    $('countdown').className = left <= 30 ? 'warn' : '';
  };
  tick();
  capTimer = window.setInterval(tick, 1000);
}
function stopCountdown(): void {
  if (capTimer !== null) window.clearInterval(capTimer);
  capTimer = null;
  $('countdown').textContent = '';
}

async function extend(): Promise<void> {
  if (!current) return;
  const r = await call<{ granted: boolean; capSeconds: number; reason?: string }>(
    'POST',
    `/calls/${current.callId}/extend`,
  );
  if (r.granted) {
    capEndsAt += (r.capSeconds - current.campaign.talkCapSeconds) * 1000;
    current.campaign.talkCapSeconds = r.capSeconds;
    $<HTMLButtonElement>('extend').disabled = true;
  } else {
    alertError(new Error(`No extension: ${r.reason ?? 'not allowed'}`));
  }
}

function choose(d: string): void {
  disposition = d;
  for (const b of document.querySelectorAll<HTMLButtonElement>('#dispositions button'))
    b.setAttribute('aria-pressed', String(b.dataset.d === d));
  show('referral', d === 'referral');
  show('recall-label', d === 'recall');
  if (d === 'recall' && current?.contact.timezone && !$<HTMLInputElement>('recall-at').value) {
    $<HTMLInputElement>('recall-at').value = nowIn(current.contact.timezone, 24 * 60);
  }
  $<HTMLButtonElement>('save').disabled = false;
  completeness();
  if (d === 'referral') $('need').focus();
}

function completeness(): void {
  const need = $<HTMLTextAreaElement>('need').value.trim();
  const missing: string[] = [];
  if (need.length < MIN_NEED) missing.push(`the need (${need.length}/${MIN_NEED} characters)`);
  for (const [id, label] of [
    ['r-name', 'contact name'],
    ['r-title', 'title'],
    ['r-company', 'company'],
  ])
    if (!$<HTMLInputElement>(id).value.trim()) missing.push(label);
  if (!$<HTMLInputElement>('r-phone').value.trim() && !$<HTMLInputElement>('r-email').value.trim())
    missing.push('a phone or an email');
  $('completeness').textContent = missing.length
    ? `Missing for publication: ${missing.join(', ')} (it will go to review).`
    : 'Complete: it will be published to the client.';
}

async function save(): Promise<void> {
  if (!current || !disposition) return;
  clearAlert();
  const body: Record<string, unknown> = { disposition };
  const notes = $<HTMLTextAreaElement>('notes').value.trim();
  if (notes) body.notes = notes;
  if (disposition === 'recall') {
    const local = $<HTMLInputElement>('recall-at').value;
    if (!local) return alertError(new Error('Choose when to call back (Recall at).'));
    body.recallAt = zonedToIso(
      local,
      current.contact.timezone ?? Intl.DateTimeFormat().resolvedOptions().timeZone,
    );
  }
  if (disposition === 'referral') {
    const v = (id: string) => $<HTMLInputElement>(id).value.trim() || undefined;
    body.referral = {
      rating:
        document.querySelector<HTMLInputElement>('input[name="rating"]:checked')?.value ??
        'needs_work',
      need: $<HTMLTextAreaElement>('need').value.trim(),
      ...(v('r-timeframe') ? { timeframe: v('r-timeframe') } : {}),
      ...(v('r-next-step') ? { nextStep: v('r-next-step') } : {}),
      expectingCall: $<HTMLInputElement>('r-expecting').checked,
      contact: {
        name: v('r-name'),
        title: v('r-title'),
        phone: v('r-phone'),
        email: v('r-email'),
        company: v('r-company'),
      },
    };
  }
  if (dialed && capTimer !== null) await phone.disconnect();
  // Twilio's final status callback may reach the service a moment after the browser hangs up.
  for (let attempt = 1; ; attempt++) {
    try {
      await call('POST', `/calls/${current.callId}/outcome`, body);
      break;
    } catch (e) {
      const onTheLine = e instanceof ApiError && e.status === 409 && /on the line/.test(e.message);
      if (!onTheLine || attempt >= 5) throw e;
      await new Promise((r) => setTimeout(r, 600));
    }
  }
  void figures();
  await next();
}

function wire(id: string, f: () => Promise<void> | void): void {
  $(id).addEventListener('click', () => {
    Promise.resolve(f()).catch(alertError);
  });
}

function init(): void {
  const box = $('dispositions');
  box.replaceChildren(
    ...DISPOSITIONS.map(([d, label], i) => {
      const b = document.createElement('button');
      b.type = 'button';
      b.id = `d-${d}`;
      b.dataset.d = d;
      b.textContent = label;
      b.title = `key ${i + 1}`;
      b.setAttribute('aria-pressed', 'false');
      b.addEventListener('click', () => choose(d));
      return b;
    }),
  );
  wireSession(start);
  wire('next', next);
  wire('call', dial);
  wire('hang-up', () => phone.disconnect());
  wire('sim-answer', () => simulated.simulate('answer'));
  wire('sim-no-answer', () => simulated.simulate('no-answer'));
  wire('sim-busy', () => simulated.simulate('busy'));
  wire('extend', extend);
  wire('mute', () => {
    const on = $('mute').getAttribute('aria-pressed') !== 'true';
    phone.mute(on);
    $('mute').setAttribute('aria-pressed', String(on));
  });
  wire('save', save);
  $('keypad').replaceChildren(
    ...KEYS.map(([digit, id, name]) => {
      const b = el('button', digit, { id, type: 'button', 'aria-label': name });
      b.disabled = true;
      b.addEventListener('click', () => press(digit));
      return b;
    }),
  );
  for (const id of ['need', 'r-name', 'r-title', 'r-phone', 'r-email', 'r-company'])
    $(id).addEventListener('input', completeness);
  // Keys: N next, C call, H hang up, 1–9 dispositions (not while typing); on the line, 0–9, *
  // and # are the keypad's and M mutes.
  document.addEventListener('keydown', (ev) => {
    const t = ev.target as HTMLElement;
    if (
      ['INPUT', 'TEXTAREA', 'SELECT'].includes(t.tagName) ||
      ev.ctrlKey ||
      ev.metaKey ||
      ev.altKey
    )
      return;
    const click = (id: string) => {
      const b = $<HTMLButtonElement>(id);
      if (!b.disabled && !b.closest('[hidden]')) b.click();
    };
    const key = KEYS.find(([digit]) => digit === ev.key);
    if (onLine && key) click(key[1]);
    else if (onLine && ev.key === 'm') click('mute');
    else if (ev.key === 'n') click('next');
    else if (ev.key === 'c') click('call');
    else if (ev.key === 'h') click('hang-up');
    else if (/^[1-9]$/.test(ev.key) && current) click(`d-${DISPOSITIONS[Number(ev.key) - 1][0]}`);
  });
  start().catch(alertError);
}

init();
