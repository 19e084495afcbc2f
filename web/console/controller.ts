import { createActor } from 'xstate';
import { ApiError, call, signIn, signOut, token } from '../src/api.js';
import { type PhoneEvent, SimulatedSoftphone, type Softphone } from '../src/softphone.js';
import { NOT_PLACED, TwilioSoftphone } from '../src/twilio-softphone.js';
import { dropAllDrafts, dropDraft, loadDraft, saveDraft } from './drafts';
import { type AutoDial, type ConsoleEvent, consoleMachine, type PauseReason } from './machine';

/**
 * The console's side effects: the API, the phone, timers and what the caller typed. Every action
 * first asks the state machine whether it may happen (`can`), then sends its events; the page
 * renders from the machine's snapshot and from `data`.
 */

export interface Claim {
  callId: string;
  leaseExpiresAt: string;
  contact: {
    id: string;
    company: string | null;
    firstName: string | null;
    lastName: string | null;
    title: string | null;
    phone: string;
    altPhones: string[];
    email: string | null;
    website: string | null;
    street?: string | null;
    city: string | null;
    state: string | null;
    postalCode?: string | null;
    zip?: string | null;
    country?: string | null;
    address?: Record<string, string | null> | null;
    /** The list's own columns, as imported (e.g. a CRM note). */
    custom?: Record<string, string> | null;
    timezone: string | null;
    timezones: string[];
    attempts: number;
  };
  campaign: {
    id: string;
    name: string;
    script: string;
    talkCapSeconds: number;
    previewSeconds?: number;
    product?: string | null;
    clientName?: string | null;
  };
  pitch: { name: string; text: string } | null;
  offer: { name: string; text: string } | null;
  earlierCalls?: {
    at: string;
    caller: string | null;
    byYou: boolean;
    disposition: string;
    notes: string | null;
  }[];
  autoDial?: AutoDial;
  call?: {
    state: string;
    capSeconds: number | null;
    capSecondsLeft?: number | null;
    wrapUpSecondsLeft?: number | null;
    extended?: boolean;
  };
}

export interface ReferralDraft {
  rating: '' | 'very_interested' | 'needs_work';
  need: string;
  name: string;
  title: string;
  phone: string;
  email: string;
  company: string;
  website: string;
  timeframe: string;
  budget: string;
  decisionMaker: string;
  nextStep: string;
  employees: string;
  expectingCall: boolean;
}

export interface Draft {
  disposition: string | null;
  notes: string;
  recallAt: string;
  recallZone: string;
  referral: ReferralDraft;
}

export interface Campaign {
  id: string;
  name: string;
  status: string;
  product?: string | null;
  scoreWeights?: Record<string, number> | null;
  previewSeconds?: number;
}

export interface Returned {
  id: string;
  reason: string | null;
  returnedAt?: string | null;
  campaign?: { id: string; name: string } | null;
  company?: string | null;
  rating: string;
  need: string;
  timeframe?: string | null;
  budget?: string | null;
  decisionMaker?: string | null;
  employees?: number | null;
  expectingCall?: boolean | null;
  nextStep?: string | null;
  contact: Record<string, string | null>;
}

export interface Recall {
  contactId: string;
  campaign?: { id: string; name: string } | null;
  company: string | null;
  firstName?: string | null;
  lastName?: string | null;
  phone: string;
  recallAt: string;
  timezones?: string[];
  due: boolean;
}

export interface PageData {
  me: { id: string; role: string; name?: string | null } | null;
  campaigns: Campaign[];
  campaignId: string;
  mode: 'twilio' | 'simulated';
  current: Claim | null;
  draft: Draft;
  /** The words in the status region ("ringing", "in call"…). */
  phoneState: string;
  alert: string | null;
  figures: { dials: number; connects: number; referrals: number; rate: number | null } | null;
  /** Local (browser) instants the countdowns run to. */
  capEndsAt: number | null;
  wrapUpEndsAt: number | null;
  previewEndsAt: number | null;
  wrapUpWarned: boolean;
  muted: boolean;
  digits: string;
  extendNote: string | null;
  returned: Returned[];
  recalls: Recall[];
  editing: Returned | null;
  editDraft: ReferralDraft | null;
}

export const blankReferral = (): ReferralDraft => ({
  rating: '',
  need: '',
  name: '',
  title: '',
  phone: '',
  email: '',
  company: '',
  website: '',
  timeframe: '',
  budget: '',
  decisionMaker: '',
  nextStep: '',
  employees: '',
  expectingCall: false,
});

/** A fresh form for a contact: empty, the contact's own fields prefilled. */
export function draftFor(c: Claim | null): Draft {
  const k = c?.contact;
  return {
    disposition: null,
    notes: '',
    recallAt: '',
    recallZone: k?.timezones?.[0] ?? k?.timezone ?? '',
    referral: {
      ...blankReferral(),
      name: [k?.firstName, k?.lastName].filter(Boolean).join(' '),
      title: k?.title ?? '',
      phone: k?.phone ?? '',
      email: k?.email ?? '',
      company: k?.company ?? '',
      website: k?.website ?? '',
    },
  };
}

export const actor = createActor(consoleMachine).start();

/** This tab's Ready switch and campaign, kept over a reload (sessionStorage: per tab). */
const MODE_KEY = 'rd.console.mode';
const CAMPAIGN_KEY = 'rd.console.campaign';

let data: PageData = {
  me: null,
  campaigns: [],
  campaignId: '',
  mode: 'simulated',
  current: null,
  draft: draftFor(null),
  phoneState: 'ready',
  alert: null,
  figures: null,
  capEndsAt: null,
  wrapUpEndsAt: null,
  previewEndsAt: null,
  wrapUpWarned: false,
  muted: false,
  digits: '',
  extendNote: null,
  returned: [],
  recalls: [],
  editing: null,
  editDraft: null,
};
const listeners = new Set<() => void>();

export function getData(): PageData {
  return data;
}
export function subscribe(f: () => void): () => void {
  listeners.add(f);
  return () => listeners.delete(f);
}
export function update(patch: Partial<PageData>): void {
  data = { ...data, ...patch };
  for (const f of listeners) f();
}

const can = (e: ConsoleEvent) => actor.getSnapshot().can(e);
const send = (e: ConsoleEvent) => actor.send(e);
export const flowState = () => (actor.getSnapshot().value as { flow: string }).flow;
export const modeState = () => (actor.getSnapshot().value as { mode: string }).mode;

export function showError(e: unknown): void {
  if (e instanceof ApiError && e.status === 401 && token()) {
    // The session ended (the token expired): sign in again; the call and what was typed stay.
    update({
      alert: 'Your session has ended: sign in again. Your call and what you typed are kept.',
    });
    void signOutNow(true);
    return;
  }
  update({ alert: e instanceof Error ? e.message : String(e) });
}

// ---- the phone ----------------------------------------------------------------------------

const simulated = new SimulatedSoftphone();
let twilioPhone: TwilioSoftphone | null = null;
let phone: Softphone = simulated;

function phoneFor(mode: string): Softphone {
  if (mode !== 'twilio') return simulated;
  if (!twilioPhone) {
    twilioPhone = new TwilioSoftphone(async () => {
      const t = await call<{ token: string | null }>('GET', '/telephony/token');
      if (!t.token) throw new Error('the service is not set up for Twilio');
      return t.token;
    });
    twilioPhone.on(onPhone);
  }
  return twilioPhone;
}
simulated.on(onPhone);

export function simulate(outcome: 'answer' | 'no-answer' | 'busy'): void {
  simulated.simulate(outcome).catch(showError);
}

function onPhone(event: PhoneEvent, detail?: string): void {
  const callId = data.current?.callId;
  if (event === 'ringing') {
    if (can({ type: 'RINGING' })) send({ type: 'RINGING' });
    update({ phoneState: 'ringing' });
  } else if (event === 'accept') {
    if (!can({ type: 'ANSWERED' })) return;
    send({ type: 'ANSWERED' });
    const cap = data.current?.campaign.talkCapSeconds ?? 300;
    update({ phoneState: 'in call', capEndsAt: Date.now() + cap * 1000 });
  } else if (event === 'disconnect' && detail === NOT_PLACED && callId) {
    // The device failed before Twilio had the call: take the dial back, so Call works again.
    call('POST', `/calls/${callId}/cancel-dial`)
      .then(() => {
        if (data.current?.callId !== callId) return;
        send({ type: 'NOT_PLACED' });
        update({ phoneState: 'ended (not placed): fix the problem above and call again' });
      })
      .catch(showError);
  } else if (event === 'disconnect') {
    if (!can({ type: 'ENDED' })) return;
    send({ type: 'ENDED' });
    update({
      phoneState: detail ? `ended (${detail.replace('-', ' ')})` : 'ended',
      capEndsAt: null,
      muted: false,
      // Until the service says how long is left, the usual window; corrected just below.
      wrapUpEndsAt: Date.now() + 120_000,
      wrapUpWarned: false,
    });
    if (callId) void wrapUpFromServer(callId);
    // A busy or unanswered call suggests its outcome; the caller confirms it.
    if (detail === 'busy' || detail === 'no-answer')
      choose(detail === 'busy' ? 'busy' : 'no_answer');
  } else if (event === 'error') {
    showError(new Error(detail));
  }
}

/** The wrap-up window as the service counts it (from the call's end on its clock). */
async function wrapUpFromServer(callId: string): Promise<void> {
  for (let i = 0; i < 6; i++) {
    const c = await call<Claim | undefined>('GET', '/calls/current').catch(() => undefined);
    if (!c || c.callId !== callId) return;
    const left = c.call?.wrapUpSecondsLeft;
    if (typeof left === 'number') {
      if (data.current?.callId === callId) update({ wrapUpEndsAt: Date.now() + left * 1000 });
      return;
    }
    await new Promise((r) => setTimeout(r, 500));
  }
}

// ---- starting, restoring, signing in and out ------------------------------------------------

export async function start(): Promise<void> {
  if (!token()) {
    update({ me: null });
    return;
  }
  const me = JSON.parse(sessionStorage.getItem('rd.me') ?? 'null') as PageData['me'];
  update({ me, alert: null });
  if (can({ type: 'SIGNED_IN' })) send({ type: 'SIGNED_IN' });
  const [campaigns, mode, meFull] = await Promise.all([
    call<Campaign[]>('GET', '/campaigns'),
    call<{ mode: 'twilio' | 'simulated' }>('GET', '/telephony/token').then(
      (t) => t.mode,
      () => 'simulated' as const,
    ),
    call<{ id: string; role: string; name: string | null }>('GET', '/auth/me').catch(() => me),
  ]);
  const active = campaigns.filter((c) => c.status === 'active');
  update({
    me: meFull ?? me,
    campaigns: active,
    campaignId:
      [data.campaignId, sessionStorage.getItem(CAMPAIGN_KEY)].find(
        (id) => id && active.some((g) => g.id === id),
      ) ??
      active[0]?.id ??
      '',
    mode,
  });
  phone = phoneFor(mode);
  if (phone instanceof TwilioSoftphone) phone.preload().catch(showError);
  void refreshFigures();
  void refreshInbox();
  void sendState();
  await restore();
}

/** Comes back to the caller's open lease or call after a reload (`GET /calls/current`). */
async function restore(): Promise<void> {
  let c: Claim | undefined;
  // A blip (the network, the service restarting) must not leave the page asking forever.
  for (let attempt = 1; ; attempt++) {
    try {
      c = await call<Claim | undefined>('GET', '/calls/current');
      break;
    } catch (e) {
      if (e instanceof ApiError && e.status === 401) return showError(e);
      update({ alert: `${(e as Error).message} (trying again…)` });
      await new Promise((r) => setTimeout(r, Math.min(10_000, 1000 * attempt)));
      if (flowState() !== 'restoring') return;
    }
  }
  if (data.alert?.endsWith('(trying again…)')) update({ alert: null });
  // Ready before the reload (this tab): still ready.
  if (sessionStorage.getItem(MODE_KEY) === 'ready' && can({ type: 'READY' })) {
    send({ type: 'READY' });
    void sendState();
  }
  if (!c) {
    if (can({ type: 'NOTHING_TO_RESTORE' })) send({ type: 'NOTHING_TO_RESTORE' });
    // Ready (pressed while the page was still asking, or before a reload): the first contact.
    if (modeState() === 'ready' && flowState() === 'idle') await next();
    return;
  }
  const state = c.call?.state ?? 'leased';
  const draft = loadDraft<Draft>(c.callId) ?? draftFor(c);
  if (c.call?.capSeconds) c.campaign.talkCapSeconds = c.call.capSeconds;
  update({
    current: c,
    draft,
    digits: '',
    muted: false,
    extendNote: c.call?.extended ? 'Extended' : null,
  });
  send({
    type: 'RESTORED',
    callId: c.callId,
    callState: state,
    autoDial: c.autoDial ?? { allowed: true, reason: null },
  });
  // The outcome chosen before the reload is chosen again; an extended call stays extended.
  if (draft.disposition && can({ type: 'CHOOSE', disposition: draft.disposition })) {
    send({ type: 'CHOOSE', disposition: draft.disposition });
  }
  if (c.call?.extended) send({ type: 'EXTEND_REFUSED' });
  const flow = flowState();
  if (flow === 'live' || flow === 'ringing' || flow === 'dialing') {
    if (data.mode === 'simulated') simulated.resume(c.callId, flow === 'live');
    const left = c.call?.capSecondsLeft;
    update({
      phoneState: flow === 'live' ? 'in call' : flow,
      capEndsAt: flow === 'live' && typeof left === 'number' ? Date.now() + left * 1000 : null,
    });
    // In Twilio mode the reload ended the browser's leg: the service will close the call.
    if (data.mode === 'twilio') void watchUntilEnded(c.callId);
  } else if (flow === 'wrapUp') {
    const left = c.call?.wrapUpSecondsLeft ?? 0;
    update({ phoneState: 'ended', wrapUpEndsAt: Date.now() + left * 1000, wrapUpWarned: false });
  } else {
    update({ phoneState: 'ready' });
    startPreview();
  }
}

/** Asks the service about a call whose phone this page no longer holds, until it has ended. */
async function watchUntilEnded(callId: string): Promise<void> {
  while (data.current?.callId === callId && ['dialing', 'ringing', 'live'].includes(flowState())) {
    await new Promise((r) => setTimeout(r, 2000));
    const c = await call<Claim | undefined>('GET', '/calls/current').catch(() => null);
    if (c === null) continue;
    if (
      !c ||
      c.callId !== callId ||
      !['dialing', 'ringing', 'in_progress'].includes(c.call?.state ?? '')
    ) {
      onPhone('disconnect');
      return;
    }
  }
}

export async function signInWith(email: string, password: string): Promise<void> {
  try {
    const user = await signIn(email, password);
    sessionStorage.setItem('rd.me', JSON.stringify(user));
    update({ alert: null });
    await start();
  } catch (e) {
    showError(e);
  }
}

export async function signOutNow(forced = false): Promise<void> {
  if (!forced && !can({ type: 'SIGN_OUT' })) return;
  if (!forced) {
    // Another tab of this caller may have a call on the line or in wrap-up: finish it first.
    const open = await call<Claim | undefined>('GET', '/calls/current').catch(() => undefined);
    if (open && open.call && open.call.state !== 'leased') {
      update({
        alert:
          'A call is still open (on the line or in wrap-up, perhaps in another tab): save its outcome before signing out.',
      });
      return;
    }
    if (open) await call('POST', `/calls/${open.callId}/release`).catch(() => undefined);
    dropAllDrafts();
    // Off the floor at once, not after 90 s of silence.
    await call('DELETE', '/callers/me/state').catch(() => undefined);
    sessionStorage.removeItem(MODE_KEY);
    sessionStorage.removeItem(CAMPAIGN_KEY);
  }
  signOut();
  sessionStorage.removeItem('rd.me');
  send({ type: forced ? 'SESSION_ENDED' : 'SIGN_OUT' });
  stopPreview();
  update({ me: null, current: null, draft: draftFor(null), alert: forced ? data.alert : null });
}

export function chooseCampaign(id: string): void {
  sessionStorage.setItem(CAMPAIGN_KEY, id);
  update({ campaignId: id });
}

// ---- claiming, skipping, recalls --------------------------------------------------------------

/** Next contact (`n`): an undialed contact on screen is given back first (skipped). */
export async function next(contactId?: string): Promise<void> {
  const skipping = flowState() === 'contact';
  const held = data.current?.callId;
  if (!can({ type: skipping ? 'SKIP' : 'NEXT' })) return;
  send({ type: skipping ? 'SKIP' : 'NEXT' });
  stopPreview();
  update({ alert: null });
  try {
    if (skipping && held) {
      await call('POST', `/calls/${held}/release`).catch((e: unknown) => {
        if (!(e instanceof ApiError && e.status === 404)) throw e;
      });
      dropDraft(held);
    }
    await claim(contactId);
  } catch (e) {
    send({ type: 'CLAIM_FAILED' });
    update({ current: null });
    showError(e);
  }
}

async function claim(contactId?: string): Promise<void> {
  const body: Record<string, string> = {};
  if (contactId) body.contactId = contactId;
  else if (data.campaignId && data.campaigns.length > 1) body.campaignId = data.campaignId;
  const c = await call<Claim | undefined>('POST', '/calls/next', body);
  if (!c) {
    send({ type: 'NO_CONTACT' });
    update({ current: null, draft: draftFor(null), phoneState: 'ready' });
    return;
  }
  const autoDial = c.autoDial ?? { allowed: true, reason: null };
  update({
    current: c,
    draft: loadDraft<Draft>(c.callId) ?? draftFor(c),
    phoneState: 'ready',
    digits: '',
    muted: false,
    extendNote: null,
    capEndsAt: null,
    wrapUpEndsAt: null,
  });
  send({ type: 'CLAIMED', callId: c.callId, autoDial });
  startPreview();
  // After the dial has gone out: the inbox is a nicety, the next ring is the work.
  later(refreshInbox);
}

/** Runs `f` once the next contact is on its way (the figures and the inbox never delay a dial). */
function later(f: () => Promise<void>): void {
  setTimeout(() => void f(), 1500);
}

let previewTimer: ReturnType<typeof setTimeout> | null = null;

function stopPreview(): void {
  if (previewTimer !== null) clearTimeout(previewTimer);
  previewTimer = null;
  if (data.previewEndsAt !== null) update({ previewEndsAt: null });
}

/**
 * In ready mode a fresh contact is dialed after the campaign's preview countdown (at once for 0):
 * a timer of its own, so the dial goes out on time, not at the page's next tick.
 */
function startPreview(): void {
  stopPreview();
  const c = data.current;
  if (!c || modeState() !== 'ready' || flowState() !== 'contact') return;
  if (!actor.getSnapshot().context.autoDial.allowed) return;
  const seconds = c.campaign.previewSeconds ?? campaignOf(c)?.previewSeconds ?? 5;
  if (seconds <= 0) return previewElapsed();
  const callId = c.callId;
  update({ previewEndsAt: Date.now() + seconds * 1000 });
  previewTimer = setTimeout(() => {
    previewTimer = null;
    if (data.current?.callId === callId) previewElapsed();
  }, seconds * 1000);
}

/** The preview is over: dial, if the machine still allows it (not paused, skipped or dialed). */
export function previewElapsed(): void {
  stopPreview();
  if (can({ type: 'PREVIEW_ELAPSED' })) void dial(true);
}

export async function takeRecall(contactId: string): Promise<void> {
  await next(contactId);
}

// ---- the call -------------------------------------------------------------------------------

export async function dial(auto = false): Promise<void> {
  const c = data.current;
  const event = auto ? ({ type: 'PREVIEW_ELAPSED' } as const) : ({ type: 'DIAL' } as const);
  if (!c || !can(event)) return;
  send(event);
  stopPreview();
  update({ alert: null, phoneState: 'dialing', extendNote: null });
  let answer: { mode: string; params?: { callId: string }; capSeconds: number };
  try {
    answer = await call('POST', `/calls/${c.callId}/dial`);
  } catch (e) {
    const code = e instanceof ApiError ? e.code : null;
    if (
      code === 'lease_lost' ||
      code === 'on_do_not_call' ||
      code === 'campaign_not_active' ||
      code === 'not_on_campaign'
    ) {
      send({ type: 'LEASE_LOST', notice: (e as Error).message });
      update({ current: null, phoneState: 'ready' });
      dropDraft(c.callId);
    } else {
      send({ type: 'DIAL_REFUSED', notice: e instanceof Error ? e.message : String(e) });
      update({ phoneState: 'ready' });
    }
    showError(e);
    return;
  }
  phone = phoneFor(answer.mode);
  update({
    current: { ...c, campaign: { ...c.campaign, talkCapSeconds: answer.capSeconds } },
  });
  await phone.connect(answer.params?.callId ?? c.callId).catch(showError);
}

export function hangUp(): void {
  if (!can({ type: 'HANG_UP' })) return;
  phone.disconnect().catch(showError);
}

export function toggleMute(): void {
  if (!can({ type: 'MUTE' })) return;
  const on = !data.muted;
  phone.mute(on);
  update({ muted: on });
}

export function press(digit: string): void {
  if (!can({ type: 'KEY' })) return;
  phone.sendDigits(digit);
  update({ digits: data.digits + digit });
}

export async function extend(): Promise<void> {
  const c = data.current;
  if (!c || !can({ type: 'EXTEND' })) return;
  const r = await call<{ granted: boolean; capSeconds: number; reason?: string }>(
    'POST',
    `/calls/${c.callId}/extend`,
  );
  if (r.granted) {
    const added = (r.capSeconds - c.campaign.talkCapSeconds) * 1000;
    update({
      capEndsAt: data.capEndsAt === null ? null : data.capEndsAt + added,
      current: { ...c, campaign: { ...c.campaign, talkCapSeconds: r.capSeconds } },
      extendNote: `Extended to ${Math.round(r.capSeconds / 60)} minutes`,
    });
  } else {
    update({ extendNote: `No extension: ${r.reason ?? 'not allowed'}` });
  }
  // Granted or refused, this call cannot be extended again.
  send({ type: 'EXTEND_REFUSED' });
}

// ---- the outcome ----------------------------------------------------------------------------

export function choose(disposition: string): void {
  if (!can({ type: 'CHOOSE', disposition })) return;
  send({ type: 'CHOOSE', disposition });
  editDraft({ disposition });
}

export function editDraft(patch: Partial<Draft>): void {
  const draft = { ...data.draft, ...patch };
  update({ draft });
  if (data.current) saveDraft(data.current.callId, draft);
}

export function editReferral(patch: Partial<ReferralDraft>): void {
  editDraft({ referral: { ...data.draft.referral, ...patch } });
}

/** The referral as the API takes it, from the form. */
export function referralBody(r: ReferralDraft): Record<string, unknown> {
  const v = (s: string) => s.trim() || undefined;
  const employees = r.employees.trim() === '' ? undefined : Number(r.employees);
  return {
    rating: r.rating || undefined,
    need: r.need.trim(),
    timeframe: v(r.timeframe),
    budget: v(r.budget),
    decisionMaker: v(r.decisionMaker),
    nextStep: v(r.nextStep),
    employees: Number.isFinite(employees) ? employees : undefined,
    expectingCall: r.expectingCall,
    contact: {
      name: v(r.name),
      title: v(r.title),
      phone: v(r.phone),
      email: v(r.email),
      company: v(r.company),
      website: v(r.website),
    },
  };
}

export async function save(recallIso: (local: string, zone: string) => string): Promise<void> {
  const c = data.current;
  const d = data.draft;
  if (!c || !d.disposition || !can({ type: 'SAVE' })) return;
  const body: Record<string, unknown> = { disposition: d.disposition };
  if (d.notes.trim()) body.notes = d.notes.trim();
  if (d.disposition === 'recall') {
    if (!d.recallAt) return showError(new Error('Choose when to call back (Recall at).'));
    const zone = d.recallZone || Intl.DateTimeFormat().resolvedOptions().timeZone;
    body.recallAt = recallIso(d.recallAt, zone);
  }
  if (d.disposition === 'referral') {
    if (!d.referral.rating) {
      return showError(new Error('Rate the referral: Very interested or Needs work.'));
    }
    if (!d.referral.need.trim()) return showError(new Error('Describe the need.'));
    if (!d.referral.name.trim()) return showError(new Error('Give the contact name.'));
    body.referral = referralBody(d.referral);
  }
  send({ type: 'SAVE' });
  update({ alert: null });
  try {
    // Twilio's final status may reach the service a moment after the browser hangs up.
    for (let attempt = 1; ; attempt++) {
      try {
        await call('POST', `/calls/${c.callId}/outcome`, body);
        break;
      } catch (e) {
        if (!(e instanceof ApiError && e.code === 'call_live') || attempt >= 5) throw e;
        await new Promise((r) => setTimeout(r, 600));
      }
    }
  } catch (e) {
    if (e instanceof ApiError && e.code === 'wrap_up_over') {
      expireWrapUp(e.message);
      return;
    } else if (e instanceof ApiError && e.code === 'outcome_recorded') {
      // Saved already (another tab, or an answer the network lost): the call is done.
      update({ alert: `${e.message}: it was saved before; moving on.` });
    } else {
      send({ type: 'SAVE_FAILED' });
      showError(e);
      return;
    }
  }
  dropDraft(c.callId);
  send({ type: 'SAVED' });
  update({ wrapUpEndsAt: null, capEndsAt: null, phoneState: 'ready' });
  later(refreshFigures);
  if (flowState() === 'claiming') {
    try {
      await claim();
    } catch (e) {
      send({ type: 'CLAIM_FAILED' });
      update({ current: null });
      showError(e);
    }
  } else {
    update({ current: null, draft: draftFor(null) });
  }
}

/** The wrap-up window ran out: the outcome can no longer be saved; say so and what happened. */
export function expireWrapUp(why?: string): void {
  const c = data.current;
  const notice =
    'The wrap-up time ran out before an outcome was saved: this call keeps no outcome, and the contact goes back to the queue to be called again.';
  if (!can({ type: 'WRAP_UP_EXPIRED', notice })) return;
  send({ type: 'WRAP_UP_EXPIRED', notice });
  if (c) dropDraft(c.callId);
  update({
    current: null,
    wrapUpEndsAt: null,
    phoneState: 'ready',
    alert: why ? null : data.alert,
  });
}

// ---- ready and pause ------------------------------------------------------------------------

export async function ready(): Promise<void> {
  if (!can({ type: 'READY' })) return;
  send({ type: 'READY' });
  sessionStorage.setItem(MODE_KEY, 'ready');
  void sendState();
  if (flowState() === 'idle') await next();
  else startPreview();
}

export function pause(reason: PauseReason): void {
  if (!can({ type: 'PAUSE', reason })) return;
  const held = flowState() === 'contact' ? data.current?.callId : undefined;
  send({ type: 'PAUSE', reason });
  sessionStorage.removeItem(MODE_KEY);
  stopPreview();
  void sendState();
  // On a break nobody holds a contact: an undialed one goes back to the queue.
  if (held) {
    dropDraft(held);
    update({ current: null, draft: draftFor(null), phoneState: 'ready' });
    void call('POST', `/calls/${held}/release`).catch(() => undefined);
  }
}

/** The caller's state for the floor: sent on every change and every 30 s while the page is open. */
export async function sendState(): Promise<void> {
  if (!token()) return;
  const ctx = actor.getSnapshot().context;
  const body =
    modeState() === 'ready'
      ? { state: 'ready' }
      : { state: 'paused', ...(ctx.pauseReason ? { reason: ctx.pauseReason } : {}) };
  await call('PUT', '/callers/me/state', body).catch(() => undefined);
}

/** While ready with nothing to call, look again now and then. */
export function retryWhenEmpty(): void {
  // Ready and idle: nothing to call last time, or a claim that failed (the network): again.
  if (modeState() === 'ready' && flowState() === 'idle') void next();
}

// ---- figures and the inbox ------------------------------------------------------------------

export async function refreshFigures(): Promise<void> {
  const me = data.me;
  if (!me) return;
  const today = new Date().toISOString().slice(0, 10);
  try {
    const r = await call<{
      totals: { dials: number; connects: number; referrals: number };
      rates: { successRate: { value: number | null } };
    }>('GET', `/reports/callers/${me.id}?from=${today}&to=${today}`);
    update({ figures: { ...r.totals, rate: r.rates.successRate.value } });
  } catch {
    // Figures are a nicety; the work goes on without them.
  }
}

export async function refreshInbox(): Promise<void> {
  const [returned, recalls] = await Promise.all([
    call<Returned[]>('GET', '/callers/me/returned').catch(() => data.returned),
    call<Recall[]>('GET', '/callers/me/recalls').catch(() => data.recalls),
  ]);
  update({ returned: returned ?? [], recalls: recalls ?? [] });
}

export function editReturned(r: Returned | null): void {
  update({
    editing: r,
    editDraft: r
      ? {
          rating: (r.rating as ReferralDraft['rating']) ?? '',
          need: r.need ?? '',
          name: r.contact?.name ?? '',
          title: r.contact?.title ?? '',
          phone: r.contact?.phone ?? '',
          email: r.contact?.email ?? '',
          company: r.contact?.company ?? '',
          website: r.contact?.website ?? '',
          timeframe: r.timeframe ?? '',
          budget: r.budget ?? '',
          decisionMaker: r.decisionMaker ?? '',
          nextStep: r.nextStep ?? '',
          employees: r.employees == null ? '' : String(r.employees),
          expectingCall: !!r.expectingCall,
        }
      : null,
  });
}

export async function resubmit(): Promise<void> {
  const r = data.editing;
  const d = data.editDraft;
  if (!r || !d) return;
  try {
    await call('POST', `/referrals/${r.id}/resubmit`, referralBody(d));
    update({ editing: null, editDraft: null, alert: null });
    await refreshInbox();
  } catch (e) {
    showError(e);
  }
}

export function campaignOf(c: Claim | null): Campaign | undefined {
  return c ? data.campaigns.find((g) => g.id === c.campaign.id) : undefined;
}
