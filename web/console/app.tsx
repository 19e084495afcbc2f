import { useEffect, useRef, useState } from 'preact/hooks';
import { completenessProblems } from '../../src/referrals/completeness';
import type {
  Budget,
  DecisionMaker,
  NextStep,
  Rating,
  Timeframe,
} from '../../src/referrals/referral-types';
import { DEFAULT_SCORE_WEIGHTS, scoreReferral, type ScoreWeights } from '../../src/referrals/score';
import { nowIn, zonedToIso } from '../src/zones.js';
import * as k from './controller';
import { type Draft, type ReferralDraft } from './controller';
import { clock, localTimeText, plural, recallWhen, zoneCity } from './local-time';
import { PAUSE_REASONS, type PauseReason } from './machine';
import { renderScript } from './script';

/** The dispositions, in key order (1–9). */
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
const DISPOSITION_LABEL = new Map(DISPOSITIONS);

// The server's vocabularies, each value named once here; the types make a missing one an error.
const TIMEFRAMES: Record<Exclude<Timeframe, 'unknown'>, string> = {
  this_month: 'this month',
  quarter: 'this quarter',
  half_year: 'within six months',
  later: 'later',
};
const BUDGETS: Record<Budget, string> = {
  confirmed: 'confirmed',
  likely: 'likely',
  unknown: 'unknown',
  none: 'none',
};
const DECISION_MAKERS: Record<DecisionMaker, string> = {
  yes: 'yes',
  influencer: 'influencer',
  no: 'no',
};
const NEXT_STEPS: Record<NextStep, string> = {
  quote: 'quote',
  demo: 'demo',
  technical_questions: 'technical questions',
  meeting: 'meeting',
};
const RATINGS: Record<Rating, string> = {
  very_interested: 'Very interested',
  needs_work: 'Needs work',
};

/** The keypad: the digit sent, the button's id and its accessible name. */
const KEYS: [string, string, string][] = [
  ...'123456789'.split('').map((d): [string, string, string] => [d, `key-${d}`, `Key ${d}`]),
  ['*', 'key-star', 'Key star'],
  ['0', 'key-0', 'Key 0'],
  ['#', 'key-pound', 'Key pound'],
];
/** The dials a day needs before its success rate says anything (no alarm colour before). */
const JUDGE_AFTER_DIALS = 30;

function useConsole() {
  const [, force] = useState(0);
  useEffect(() => {
    const rerender = () => force((n) => n + 1);
    const sub = k.actor.subscribe(rerender);
    const off = k.subscribe(rerender);
    return () => {
      sub.unsubscribe();
      off();
    };
  }, []);
  return { snap: k.actor.getSnapshot(), data: k.getData() };
}

/** Re-renders every `ms` (countdowns and local times). */
function useTick(ms: number): number {
  const [now, setNow] = useState(Date.now());
  useEffect(() => {
    const t = setInterval(() => setNow(Date.now()), ms);
    return () => clearInterval(t);
  }, [ms]);
  return now;
}

const run = (f: () => Promise<void> | void) => () => {
  Promise.resolve(f()).catch(k.showError);
};

export function App() {
  const { snap, data } = useConsole();
  const now = useTick(250);
  const flow = k.flowState();
  const mode = k.modeState();
  const ctx = snap.context;
  const can = (e: Parameters<typeof snap.can>[0]) => snap.can(e);

  // The wrap-up countdown: a warning at 30 s (rendered), then its expiry.
  useEffect(() => {
    if (flow === 'wrapUp' && data.wrapUpEndsAt !== null && now >= data.wrapUpEndsAt) {
      k.expireWrapUp();
    }
  });
  // Heartbeat for the floor, and a look for new contacts while ready with none.
  useEffect(() => {
    const beat = setInterval(() => void k.sendState(), 30_000);
    const retry = setInterval(() => k.retryWhenEmpty(), 10_000);
    const inbox = setInterval(() => void k.refreshInbox(), 60_000);
    return () => {
      clearInterval(beat);
      clearInterval(retry);
      clearInterval(inbox);
    };
  }, []);
  useKeys(can);

  if (!data.me || flow === 'signedOut') return <SignIn alert={data.alert} />;

  const c = data.current;
  const showContact =
    !!c && ['claiming', 'contact', 'dialing', 'ringing', 'live', 'wrapUp', 'saving'].includes(flow);
  const wrapUpLeft =
    flow === 'wrapUp' && data.wrapUpEndsAt !== null ? (data.wrapUpEndsAt - now) / 1000 : null;
  const capLeft = flow === 'live' && data.capEndsAt !== null ? (data.capEndsAt - now) / 1000 : null;
  const previewLeft =
    flow === 'contact' && data.previewEndsAt !== null ? (data.previewEndsAt - now) / 1000 : null;

  return (
    <>
      <header class="bar">
        <h1>Caller console</h1>
        <div class="toolbar">
          {data.campaigns.length > 1 && (
            <label id="campaign-label">
              Campaign{' '}
              <select
                id="campaign"
                value={data.campaignId}
                onChange={(e) => k.chooseCampaign((e.target as HTMLSelectElement).value)}
              >
                {data.campaigns.map((g) => (
                  <option value={g.id} key={g.id}>
                    {g.name}
                  </option>
                ))}
              </select>
            </label>
          )}
          <button
            id="next"
            title="N"
            onClick={run(() => k.next())}
            disabled={!can({ type: flow === 'contact' ? 'SKIP' : 'NEXT' })}
          >
            Next contact
          </button>
          <ReadySwitch mode={mode} reason={ctx.pauseReason} />
          <span class="mode-word" aria-live="polite" id="mode-state">
            {mode === 'ready'
              ? 'Ready: contacts come one after another'
              : ctx.pauseReason
                ? `Paused (${ctx.pauseReason})`
                : 'Working by hand'}
          </span>
        </div>
        <Figures figures={data.figures} />
        <button
          id="sign-out"
          onClick={run(() => k.signOutNow())}
          disabled={!can({ type: 'SIGN_OUT' })}
        >
          Sign out
        </button>
      </header>
      {data.alert && (
        <div id="alert" role="alert" class="alert">
          {data.alert}{' '}
          <button
            class="link"
            onClick={() => k.update({ alert: null })}
            aria-label="Dismiss the message"
          >
            ×
          </button>
        </div>
      )}
      <main id="work" class="console">
        {ctx.notice && (
          <p id="notice" class="notice" role="alert">
            {ctx.notice}
          </p>
        )}
        <div class="columns">
          <section class="col contact-col" aria-label="Contact">
            {showContact && c ? (
              <ContactCard c={c} now={now} me={data.me} />
            ) : (
              <div class="card">
                {flow === 'claiming' || flow === 'restoring' ? (
                  <p>Looking for the next contact…</p>
                ) : ctx.empty ? (
                  <p id="empty">No contact may be called right now. Try again in a few minutes.</p>
                ) : (
                  <p class="hint">
                    Press Next contact (N), or Ready to have contacts dialed one after another.
                  </p>
                )}
              </div>
            )}
          </section>
          {showContact && c && (
            <section class="col call-col" aria-label="Call and outcome">
              <PhoneCard
                flow={flow}
                data={data}
                can={can}
                capLeft={capLeft}
                previewLeft={previewLeft}
                autoDialReason={ctx.autoDial.allowed ? null : ctx.autoDial.reason}
                mode={mode}
              />
              <OutcomeCard flow={flow} data={data} can={can} wrapUpLeft={wrapUpLeft} />
            </section>
          )}
          <section class="col inbox-col" aria-label="Your inbox">
            <Inbox data={data} canTake={can({ type: 'NEXT' }) || can({ type: 'SKIP' })} />
          </section>
        </div>
        {data.editing && data.editDraft && (
          <>
            <div class="backdrop" onClick={() => k.editReturned(null)} />
            <ReturnedEditor data={data} />
          </>
        )}
      </main>
    </>
  );
}

function SignIn({ alert }: { alert: string | null }) {
  const [email, setEmail] = useState('');
  const [password, setPassword] = useState('');
  return (
    <>
      <header class="bar">
        <h1>Caller console</h1>
      </header>
      {alert && (
        <div id="alert" role="alert" class="alert">
          {alert}
        </div>
      )}
      <form
        id="sign-in"
        class="card narrow"
        onSubmit={(e) => {
          e.preventDefault();
          void k.signInWith(email, password);
        }}
      >
        <h2>Sign in</h2>
        <label>
          Email{' '}
          <input
            name="email"
            type="email"
            autoComplete="username"
            required
            value={email}
            onInput={(e) => setEmail((e.target as HTMLInputElement).value)}
          />
        </label>
        <label>
          Password{' '}
          <input
            name="password"
            type="password"
            autoComplete="current-password"
            required
            value={password}
            onInput={(e) => setPassword((e.target as HTMLInputElement).value)}
          />
        </label>
        <button type="submit">Sign in</button>
      </form>
    </>
  );
}

function Figures({ figures }: { figures: k.PageData['figures'] }) {
  if (!figures) return <p id="figures" aria-live="polite"></p>;
  const { dials, connects, referrals, rate } = figures;
  const judged = dials >= JUDGE_AFTER_DIALS;
  return (
    <p id="figures" aria-live="polite" class={judged && rate !== null && rate < 0.08 ? 'warn' : ''}>
      Today: {plural(dials, 'dial')} · {plural(connects, 'connect')} ·{' '}
      {plural(referrals, 'referral')} · success{' '}
      {rate === null ? '—' : (rate * 100).toFixed(1) + '%'}
      {judged ? ' (industry line 8%)' : ` (judged after ${JUDGE_AFTER_DIALS} dials)`}
    </p>
  );
}

function ReadySwitch({ mode, reason }: { mode: string; reason: PauseReason | null }) {
  const [choice, setChoice] = useState<PauseReason>(reason ?? 'break');
  if (mode !== 'ready') {
    return (
      <button id="ready" onClick={run(() => k.ready())} class="primary">
        Ready
      </button>
    );
  }
  return (
    <span class="row">
      <label>
        Pause reason{' '}
        <select
          id="pause-reason"
          value={choice}
          onChange={(e) => setChoice((e.target as HTMLSelectElement).value as PauseReason)}
        >
          {PAUSE_REASONS.map((r) => (
            <option value={r} key={r}>
              {r}
            </option>
          ))}
        </select>
      </label>
      <button id="pause" onClick={() => k.pause(choice)}>
        Pause
      </button>
    </span>
  );
}

function ContactCard({ c, now, me }: { c: k.Claim; now: number; me: k.PageData['me'] }) {
  const x = c.contact;
  const campaign = k.campaignOf(c);
  const person = [x.firstName, x.lastName].filter(Boolean).join(' ');
  const address =
    x.address && typeof x.address === 'object'
      ? Object.values(x.address).filter(Boolean).join(', ')
      : [x.street, x.city, x.state, x.postalCode ?? x.zip, x.country].filter(Boolean).join(', ');
  const script = renderScript(c.campaign.script ?? '', {
    'first name': x.firstName,
    'last name': x.lastName,
    company: x.company,
    title: x.title,
    'your name': me?.name ?? null,
    client: c.campaign.clientName ?? null,
    product: c.campaign.product ?? campaign?.product ?? null,
  });
  const extra = Object.entries(x.custom ?? {}).filter(([, v]) => v !== '' && v !== null);
  const when = new Intl.DateTimeFormat(undefined, { dateStyle: 'medium', timeStyle: 'short' });
  return (
    <div class="card" id="contact">
      <h2 id="contact-company">{x.company ?? '(no company)'}</h2>
      <p id="contact-person">
        {person}
        {x.title ? ` — ${x.title}` : ''}
      </p>
      <dl class="facts">
        <dt>Phone</dt>
        <dd>
          <strong id="contact-phone">{x.phone}</strong>
          {x.altPhones?.length ? <span class="hint"> · also {x.altPhones.join(', ')}</span> : null}
        </dd>
        <dt>Local time</dt>
        <dd id="contact-time">{localTimeText(x.timezones ?? [], new Date(now))}</dd>
        <dt>Attempts</dt>
        <dd id="contact-attempts">{x.attempts}</dd>
        {x.email && (
          <>
            <dt>Email</dt>
            <dd id="contact-email">{x.email}</dd>
          </>
        )}
        {x.website && (
          <>
            <dt>Website</dt>
            <dd id="contact-website">{x.website}</dd>
          </>
        )}
        {address && (
          <>
            <dt>Address</dt>
            <dd id="contact-address">{address}</dd>
          </>
        )}
        {extra.map(([key, v]) => (
          <>
            <dt>{key}</dt>
            <dd>{String(v)}</dd>
          </>
        ))}
      </dl>
      <h3 id="earlier-title">Earlier calls</h3>
      {c.earlierCalls?.length ? (
        <ol id="earlier" class="earlier" aria-labelledby="earlier-title">
          {c.earlierCalls.map((e, i) => (
            <li key={i}>
              {when.format(new Date(e.at))} · {e.byYou ? 'you' : (e.caller ?? 'a colleague')} ·{' '}
              {DISPOSITION_LABEL.get(e.disposition) ?? e.disposition}
              {e.notes && <q>{e.notes}</q>}
            </li>
          ))}
        </ol>
      ) : (
        <p id="earlier-none" class="hint">
          None: the first call to this contact.
        </p>
      )}
      <h3>Script</h3>
      <div id="script" class="script" dangerouslySetInnerHTML={{ __html: script }} />
      <p id="variant">
        {[
          c.pitch && `Pitch: ${c.pitch.name} — ${c.pitch.text}`,
          c.offer && `Offer: ${c.offer.name} — ${c.offer.text}`,
        ]
          .filter(Boolean)
          .join(' · ')}
      </p>
    </div>
  );
}

interface CardProps {
  flow: string;
  data: k.PageData;
  can: (e: Parameters<ReturnType<typeof k.actor.getSnapshot>['can']>[0]) => boolean;
}

function PhoneCard({
  flow,
  data,
  can,
  capLeft,
  previewLeft,
  autoDialReason,
  mode,
}: CardProps & {
  capLeft: number | null;
  previewLeft: number | null;
  autoDialReason: string | null;
  mode: string;
}) {
  const onLine = flow === 'live';
  const simulatedRinging = data.mode === 'simulated' && (flow === 'dialing' || flow === 'ringing');
  return (
    <div class="card" id="phone">
      <div class="row">
        <div role="status" id="call-state" aria-live="polite">
          {data.phoneState}
        </div>
        <p id="countdown" aria-live="off" class={capLeft !== null && capLeft <= 30 ? 'warn' : ''}>
          {capLeft !== null ? `Talk cap: ${clock(capLeft)} left` : ''}
        </p>
        {previewLeft !== null && (
          <p id="preview" class="notice-inline">
            Dialing in {Math.ceil(Math.max(0, previewLeft))} s
          </p>
        )}
      </div>
      {flow === 'contact' && mode === 'ready' && autoDialReason && (
        <p id="auto-dial-stop" class="notice-inline">
          Press Call: {autoDialReason}
        </p>
      )}
      <div class="row wrap">
        <button
          id="call"
          title="C"
          class="primary"
          onClick={run(() => k.dial())}
          disabled={!can({ type: 'DIAL' })}
        >
          Call
        </button>
        <button
          id="hang-up"
          title="H"
          onClick={() => k.hangUp()}
          disabled={!can({ type: 'HANG_UP' })}
        >
          Hang up
        </button>
        <button
          id="mute"
          title="M"
          aria-pressed={data.muted ? 'true' : 'false'}
          onClick={() => k.toggleMute()}
          disabled={!can({ type: 'MUTE' })}
        >
          Mute
        </button>
        <button id="extend" onClick={run(() => k.extend())} disabled={!can({ type: 'EXTEND' })}>
          Extend
        </button>
        {data.extendNote && (
          <span id="extend-note" class="hint">
            {data.extendNote}
          </span>
        )}
        {flow === 'contact' && mode === 'ready' && (
          <button id="skip" onClick={run(() => k.next())} disabled={!can({ type: 'SKIP' })}>
            Skip
          </button>
        )}
      </div>
      <div class="row">
        <div id="keypad" class="keypad" role="group" aria-label="Keypad">
          {KEYS.map(([digit, id, name]) => (
            <button
              key={id}
              id={id}
              type="button"
              aria-label={name}
              disabled={!onLine}
              onClick={() => k.press(digit)}
            >
              {digit}
            </button>
          ))}
        </div>
        <p class="hint">
          Digits sent: <span id="dtmf">{data.digits}</span>
        </p>
      </div>
      {data.mode === 'simulated' &&
        (flow === 'dialing' || flow === 'ringing' || flow === 'live') && (
          <div class="row" id="simulator">
            <span>Simulated phone:</span>
            <button
              id="sim-answer"
              disabled={!simulatedRinging}
              onClick={() => k.simulate('answer')}
            >
              Simulate answer
            </button>
            <button
              id="sim-no-answer"
              disabled={!simulatedRinging}
              onClick={() => k.simulate('no-answer')}
            >
              Simulate no answer
            </button>
            <button id="sim-busy" disabled={!simulatedRinging} onClick={() => k.simulate('busy')}>
              Simulate busy
            </button>
          </div>
        )}
    </div>
  );
}

function OutcomeCard({ flow, data, can, wrapUpLeft }: CardProps & { wrapUpLeft: number | null }) {
  const d = data.draft;
  const c = data.current!;
  const zones = c.contact.timezones?.length
    ? c.contact.timezones
    : c.contact.timezone
      ? [c.contact.timezone]
      : [];
  const chooseAllowed = can({ type: 'CHOOSE', disposition: 'busy' });
  return (
    <div class="card" id="outcome">
      <div class="row">
        <h3>Outcome</h3>
        {wrapUpLeft !== null && (
          <p id="wrap-up" class={wrapUpLeft <= 30 ? 'warn' : ''} role="timer" aria-live="off">
            Wrap-up {clock(wrapUpLeft)}
            {wrapUpLeft <= 30 ? ' — save the outcome now' : ''}
          </p>
        )}
      </div>
      <div class="row wrap" id="dispositions">
        {DISPOSITIONS.map(([value, label], i) => (
          <button
            key={value}
            id={`d-${value}`}
            type="button"
            title={`key ${i + 1}`}
            aria-pressed={d.disposition === value ? 'true' : 'false'}
            disabled={!chooseAllowed}
            onClick={() => {
              k.choose(value);
              if (value === 'recall' && !k.getData().draft.recallAt && zones[0]) {
                k.editDraft({
                  recallAt: nowIn(zones[0], 24 * 60),
                  recallZone: d.recallZone || zones[0],
                });
              }
              if (value === 'referral')
                setTimeout(() => document.getElementById('need')?.focus(), 0);
            }}
          >
            {label}
          </button>
        ))}
      </div>
      {d.disposition === 'recall' && (
        <div class="row wrap" id="recall-label">
          <label>
            Recall at{' '}
            <input
              id="recall-at"
              type="datetime-local"
              value={d.recallAt}
              onInput={(e) => k.editDraft({ recallAt: (e.target as HTMLInputElement).value })}
            />
          </label>
          {zones.length > 1 ? (
            <label>
              Read in zone{' '}
              <select
                id="recall-zone"
                value={d.recallZone}
                onChange={(e) => k.editDraft({ recallZone: (e.target as HTMLSelectElement).value })}
              >
                {zones.map((z) => (
                  <option value={z} key={z}>
                    {zoneCity(z)} ({z})
                  </option>
                ))}
              </select>
            </label>
          ) : (
            <span class="hint" id="recall-zone-name">
              in{' '}
              {zones[0]
                ? `${zoneCity(zones[0])} time (${zones[0]})`
                : 'your own time (the contact’s zone is unknown)'}
            </span>
          )}
        </div>
      )}
      <label>
        Notes{' '}
        <textarea
          id="notes"
          rows={1}
          value={d.notes}
          onInput={(e) => k.editDraft({ notes: (e.target as HTMLTextAreaElement).value })}
        />
      </label>
      {d.disposition === 'referral' && (
        <ReferralForm r={d.referral} onEdit={k.editReferral} weights={weightsOf(c)} idPrefix="" />
      )}
      <div class="save-bar">
        <button
          id="save"
          class="primary"
          onClick={run(() => k.save(zonedToIso))}
          disabled={!can({ type: 'SAVE' })}
        >
          {flow === 'saving' ? 'Saving…' : 'Save outcome'}
        </button>
      </div>
    </div>
  );
}

function weightsOf(c: k.Claim): ScoreWeights {
  const w = k.campaignOf(c)?.scoreWeights;
  return (w as ScoreWeights | null | undefined) ?? DEFAULT_SCORE_WEIGHTS;
}

function ReferralForm({
  r,
  onEdit,
  weights,
  idPrefix,
}: {
  r: ReferralDraft;
  onEdit: (p: Partial<ReferralDraft>) => void;
  weights: ScoreWeights;
  idPrefix: string;
}) {
  const id = (s: string) => `${idPrefix}${s}`;
  const text = (key: keyof ReferralDraft) => ({
    value: r[key] as string,
    onInput: (e: Event) => onEdit({ [key]: (e.target as HTMLInputElement).value }),
  });
  const select = (key: keyof ReferralDraft, options: Record<string, string>, blank: string) => (
    <select
      id={id(`r-${key}`)}
      value={r[key] as string}
      onChange={(e) => onEdit({ [key]: (e.target as HTMLSelectElement).value })}
    >
      <option value="">{blank}</option>
      {Object.entries(options).map(([v, label]) => (
        <option value={v} key={v}>
          {label}
        </option>
      ))}
    </select>
  );
  const employees = r.employees.trim() === '' ? null : Number(r.employees);
  const score = scoreReferral(
    {
      rating: (r.rating || 'needs_work') as Rating,
      need: r.need,
      timeframe: (r.timeframe || null) as Timeframe | null,
      budget: (r.budget || null) as Budget | null,
      decisionMaker: (r.decisionMaker || null) as DecisionMaker | null,
      employees: Number.isFinite(employees) ? employees : null,
      expectingCall: r.expectingCall,
      nextStep: (r.nextStep || null) as NextStep | null,
    },
    weights,
  );
  const problems = completenessProblems({
    need: r.need,
    contact: {
      name: r.name,
      title: r.title,
      phone: r.phone,
      email: r.email,
      company: r.company,
      website: r.website,
    },
  });
  return (
    <fieldset id={id('referral')} class="referral">
      <legend>Referral</legend>
      <div class="row">
        {(Object.entries(RATINGS) as [Rating, string][]).map(([v, label]) => (
          <label key={v}>
            <input
              type="radio"
              name={id('rating')}
              value={v}
              checked={r.rating === v}
              onChange={() => onEdit({ rating: v })}
            />{' '}
            {label}
          </label>
        ))}
        <p class="score" id={id('score')} aria-live="polite">
          Score {score}/100
        </p>
      </div>
      <label>
        Need <textarea id={id('need')} rows={2} {...text('need')} />
      </label>
      <div class="grid3">
        <label>
          Contact name <input id={id('r-name')} {...text('name')} />
        </label>
        <label>
          Title <input id={id('r-title')} {...text('title')} />
        </label>
        <label>
          Phone <input id={id('r-phone')} {...text('phone')} />
        </label>
        <label>
          Email <input id={id('r-email')} type="email" {...text('email')} />
        </label>
        <label>
          Company <input id={id('r-company')} {...text('company')} />
        </label>
        <label>
          Website <input id={id('r-website')} {...text('website')} />
        </label>
        <label>Timeframe {select('timeframe', TIMEFRAMES, 'unknown')}</label>
        <label>Budget {select('budget', BUDGETS, 'not asked')}</label>
        <label>Decision maker {select('decisionMaker', DECISION_MAKERS, 'not asked')}</label>
        <label>Next step {select('nextStep', NEXT_STEPS, '—')}</label>
        <label>
          Employees{' '}
          <input
            id={id('r-employees')}
            type="number"
            min={0}
            inputMode="numeric"
            {...text('employees')}
          />
        </label>
        <label class="check">
          <input
            type="checkbox"
            id={id('r-expecting')}
            checked={r.expectingCall}
            onChange={(e) => onEdit({ expectingCall: (e.target as HTMLInputElement).checked })}
          />{' '}
          Expecting the client's call
        </label>
      </div>
      <p id={id('completeness')} class="hint" aria-live="polite">
        {problems.length
          ? `Missing for publication: ${problems.map((p) => p.message).join('; ')} (it will go to review).`
          : 'Complete: it will be published to the client.'}
      </p>
    </fieldset>
  );
}

function Inbox({ data, canTake }: { data: k.PageData; canTake: boolean }) {
  return (
    <>
      <div class="card" id="returned">
        <h3 id="returned-title">Returned to you ({data.returned.length})</h3>
        {data.returned.length === 0 ? (
          <p class="hint">Nothing returned: every referral you sent went through.</p>
        ) : (
          <ul aria-labelledby="returned-title" class="inbox">
            {data.returned.map((r) => (
              <li key={r.id}>
                <strong>{r.contact?.company ?? r.company ?? '(no company)'}</strong>
                {r.contact?.name ? ` · ${r.contact.name}` : ''} —{' '}
                <em>{r.reason ?? 'no reason given'}</em>{' '}
                <button
                  onClick={() => k.editReturned(r)}
                  aria-label={`Fix the referral of ${r.contact?.company ?? r.contact?.name ?? 'this contact'}`}
                >
                  Fix
                </button>
              </li>
            ))}
          </ul>
        )}
      </div>
      <div class="card" id="recalls">
        <h3 id="recalls-title">My recalls ({data.recalls.length})</h3>
        {data.recalls.length === 0 ? (
          <p class="hint">No callbacks booked.</p>
        ) : (
          <ul aria-labelledby="recalls-title" class="inbox">
            {data.recalls.map((r) => (
              <li key={r.contactId}>
                <strong>{r.company ?? '(no company)'}</strong>
                {[r.firstName, r.lastName].filter(Boolean).length
                  ? ` · ${[r.firstName, r.lastName].filter(Boolean).join(' ')}`
                  : ''}{' '}
                · {recallWhen(r.timezones ?? [], new Date(r.recallAt))}
                {r.due ? ' · due' : ''}{' '}
                {r.due && r.contactId !== data.current?.contact.id && (
                  <button
                    disabled={!canTake}
                    onClick={run(() => k.takeRecall(r.contactId))}
                    aria-label={`Call back ${r.company ?? r.phone} now`}
                  >
                    Call back now
                  </button>
                )}
              </li>
            ))}
          </ul>
        )}
      </div>
    </>
  );
}

function ReturnedEditor({ data }: { data: k.PageData }) {
  const r = data.editing!;
  const d = data.editDraft!;
  const ref = useRef<HTMLDivElement>(null);
  useEffect(() => ref.current?.querySelector<HTMLElement>('textarea')?.focus(), [r.id]);
  return (
    <div
      class="card editor"
      id="returned-editor"
      ref={ref}
      role="dialog"
      aria-label="Fix a returned referral"
    >
      <h3>Fix: {r.contact?.company ?? ''}</h3>
      <p class="notice">Reviewer: {r.reason ?? 'no reason given'}</p>
      <ReferralForm
        r={d}
        onEdit={(p) => k.update({ editDraft: { ...d, ...p } })}
        weights={
          (data.campaigns.find((g) => g.id === r.campaign?.id)?.scoreWeights as
            ScoreWeights | null | undefined) ?? DEFAULT_SCORE_WEIGHTS
        }
        idPrefix="fix-"
      />
      <div class="row">
        <button class="primary" onClick={run(() => k.resubmit())}>
          Resubmit
        </button>
        <button onClick={() => k.editReturned(null)}>Cancel</button>
      </div>
    </div>
  );
}

/**
 * Keys: N next, C call, H hang up, 1–9 dispositions; on the line 0–9, * and # are the keypad's
 * and M mutes. Never while focus is in a text field, never with a modifier, and a key the console
 * takes is not also typed anywhere (problem 6: `9` chose Referral and typed 9 into Need).
 */
function useKeys(can: CardProps['can']) {
  useEffect(() => {
    const onKey = (ev: KeyboardEvent) => {
      // The Fix dialog is modal: no shortcut reaches the page behind it; Escape closes it.
      if (k.getData().editing) {
        if (ev.key === 'Escape') k.editReturned(null);
        return;
      }
      const t = ev.target as HTMLElement;
      if (['INPUT', 'TEXTAREA', 'SELECT'].includes(t.tagName) || t.isContentEditable) return;
      if (ev.ctrlKey || ev.metaKey || ev.altKey) return;
      const flow = k.flowState();
      let done = true;
      if (flow === 'live' && /^[0-9*#]$/.test(ev.key)) k.press(ev.key);
      else if (flow === 'live' && ev.key === 'm') k.toggleMute();
      else if (ev.key === 'n') void k.next().catch(k.showError);
      else if (ev.key === 'c') void k.dial().catch(k.showError);
      else if (ev.key === 'h') k.hangUp();
      else if (/^[1-9]$/.test(ev.key) && can({ type: 'CHOOSE', disposition: 'x' })) {
        const [value] = DISPOSITIONS[Number(ev.key) - 1];
        document.getElementById(`d-${value}`)?.click();
      } else done = false;
      if (done) ev.preventDefault();
    };
    document.addEventListener('keydown', onKey);
    return () => document.removeEventListener('keydown', onKey);
  });
}

export type { Draft };
