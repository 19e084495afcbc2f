import {
  busyUntil,
  type CallSpan,
  callerStateNow,
  type DeclaredStretch,
  type ReportDay,
  stretchEnd,
  timeInStates,
} from './caller-states';

const T0 = Date.parse('2026-03-02T14:00:00Z');
/** The instant `s` seconds after T0. */
const at = (s: number) => new Date(T0 + s * 1000);
const WRAP = 120;

const stretch = (
  state: 'ready' | 'paused',
  startedAt: number,
  lastSeenAt: number,
  endedAt: number | null = null,
  reason: DeclaredStretch['reason'] = state === 'paused' ? 'lunch' : null,
): DeclaredStretch => ({
  state,
  reason,
  startedAt: at(startedAt),
  lastSeenAt: at(lastSeenAt),
  endedAt: endedAt === null ? null : at(endedAt),
});

const call = (
  dialed: number,
  answered: number | null,
  ended: number | null,
  outcome: number | null,
): CallSpan => ({
  id: 'call-1',
  dialedAt: at(dialed),
  answeredAt: answered === null ? null : at(answered),
  endedAt: ended === null ? null : at(ended),
  outcomeAt: outcome === null ? null : at(outcome),
});

describe(busyUntil.name, () => {
  it.each([
    ['on the line', call(0, 5, null, null), null],
    ['outcome within the window', call(0, 5, 100, 130), 130],
    ['no outcome yet', call(0, 5, 100, null), 100 + WRAP],
    ['outcome after the window (refused)', call(0, 5, 100, 400), 100 + WRAP],
  ])('%s', (_label, c, until) => {
    expect(busyUntil(c, WRAP)).toEqual(until === null ? null : at(until));
  });
});

describe(stretchEnd.name, () => {
  it.each([
    ['closed: when it says', stretch('ready', 0, 50, 60), null, 60],
    ['open: 90 s after the last heartbeat', stretch('ready', 0, 50), null, 140],
    [
      'open: 90 s after a later call ended its wrap-up',
      stretch('ready', 0, 50),
      call(60, 65, 300, 330),
      420,
    ],
    [
      'open: the heartbeat, when later than the call',
      stretch('ready', 0, 500),
      call(60, 65, 300, 330),
      590,
    ],
    [
      'open: a call on the line adds nothing yet',
      stretch('ready', 0, 50),
      call(60, 65, null, null),
      140,
    ],
  ])('%s', (_label, s, c, end) => {
    expect(stretchEnd(s, c, WRAP)).toEqual(at(end));
  });
});

describe(callerStateNow.name, () => {
  it.each([
    // label, stretch, latest call, now → state, reason, since
    ['never seen', null, null, 0, 'signed_out', null, null],
    ['ready', stretch('ready', 0, 0), null, 10, 'ready', null, 0],
    ['ready, heartbeat 60 s ago', stretch('ready', 0, 30), null, 90, 'ready', null, 0],
    ['ready, silent 89 s', stretch('ready', 0, 30), null, 119, 'ready', null, 0],
    ['ready, silent 90 s', stretch('ready', 0, 30), null, 120, 'signed_out', null, 120],
    ['paused for lunch', stretch('paused', 40, 60), null, 100, 'paused', 'lunch', 40],
    ['paused, silent 90 s', stretch('paused', 40, 60), null, 150, 'signed_out', null, 150],
    ['signed out by hand', stretch('ready', 0, 30, 35), null, 40, 'signed_out', null, 35],
    ['dialing', stretch('ready', 0, 10), call(20, null, null, null), 25, 'on_call', null, 20],
    ['talking', stretch('ready', 0, 10), call(20, 30, null, null), 200, 'on_call', null, 20],
    [
      'talking, console silent',
      stretch('ready', 0, 10),
      call(20, 30, null, null),
      400,
      'on_call',
      null,
      20,
    ],
    ['talking, never declared (API)', null, call(20, 30, null, null), 60, 'on_call', null, 20],
    [
      'hung up, no outcome',
      stretch('ready', 0, 10),
      call(20, 30, 100, null),
      150,
      'wrap_up',
      null,
      100,
    ],
    [
      'hung up, no outcome, paused meanwhile',
      stretch('paused', 50, 50),
      call(20, 30, 100, null),
      150,
      'wrap_up',
      null,
      100,
    ],
    ['outcome recorded', stretch('ready', 0, 10), call(20, 30, 100, 130), 140, 'ready', null, 130],
    [
      'outcome recorded, ready again for 80 s',
      stretch('ready', 0, 10),
      call(20, 30, 100, 130),
      210,
      'ready',
      null,
      130,
    ],
    [
      'outcome recorded, then silent 90 s',
      stretch('ready', 0, 10),
      call(20, 30, 100, 130),
      220,
      'signed_out',
      null,
      220,
    ],
    [
      'wrap-up window over',
      stretch('ready', 0, 200),
      call(20, 30, 100, null),
      230,
      'ready',
      null,
      220,
    ],
    ['API call ended, never declared', null, call(20, 30, 100, 130), 140, 'signed_out', null, 130],
    [
      'paused during the call, outcome since',
      stretch('paused', 50, 120),
      call(20, 30, 100, 130),
      140,
      'paused',
      'lunch',
      130,
    ],
    [
      'an earlier call, ready since',
      stretch('ready', 500, 520),
      call(20, 30, 100, 130),
      530,
      'ready',
      null,
      500,
    ],
  ] as const)('%s', (_label, s, c, now, state, reason, since) => {
    const answer = callerStateNow(s, c, at(now), WRAP);
    expect(answer.state).toBe(state);
    expect(answer.reason).toBe(reason);
    expect(answer.since).toEqual(since === null ? null : at(since));
  });

  it('names the call and the end of its wrap-up window', () => {
    const c = call(20, 30, 100, null);
    expect(callerStateNow(null, c, at(50), WRAP)).toMatchObject({
      state: 'on_call',
      callId: 'call-1',
      wrapUpEndsAt: null,
    });
    expect(callerStateNow(null, c, at(150), WRAP)).toMatchObject({
      state: 'wrap_up',
      callId: 'call-1',
      wrapUpEndsAt: at(220),
    });
  });

  it('keeps the declared switch apart from the state, while it holds', () => {
    const s = stretch('paused', 50, 140, null, 'meeting');
    expect(callerStateNow(s, call(20, 30, 100, null), at(150), WRAP).declared).toEqual({
      state: 'paused',
      reason: 'meeting',
    });
    expect(callerStateNow(s, null, at(500), WRAP).declared).toBeNull();
  });
});

describe(timeInStates.name, () => {
  const day = (label: string, start: number, end: number): ReportDay => ({
    day: label,
    start: at(start),
    end: at(end),
  });
  const DAY = [day('d1', 0, 86_400)];

  it('splits a scripted stretch into wait, dial, talk, wrap-up and pause, adding up to the time signed in', () => {
    // Ready 0–1000, paused 1000–1300; a call dialed at 100, answered 110, hung up 310, outcome 340;
    // a second one dialed at 400, never answered, ended 430, no outcome (window 120 s → 550).
    const stretches = [
      { state: 'ready' as const, startedAt: at(0), until: at(1000) },
      { state: 'paused' as const, startedAt: at(1000), until: at(1300) },
    ];
    const calls = [call(100, 110, 310, 340), { ...call(400, null, 430, null), id: 'call-2' }];
    const [d] = timeInStates(stretches, calls, DAY, at(5000), WRAP);
    expect(d).toEqual({
      day: 'd1',
      talkSeconds: 200,
      dialSeconds: 10 + 30,
      wrapUpSeconds: 30 + 120,
      waitSeconds: 100 + 60 + (1000 - 550),
      pauseSeconds: 300,
    });
    const sum = d.talkSeconds + d.dialSeconds + d.wrapUpSeconds + d.waitSeconds + d.pauseSeconds;
    expect(sum).toBe(1300);
  });

  it('counts a call made while signed out (through the API), and nothing else', () => {
    const [d] = timeInStates([], [call(100, 110, 200, 220)], DAY, at(5000), WRAP);
    expect(d).toMatchObject({
      talkSeconds: 90,
      dialSeconds: 10,
      wrapUpSeconds: 20,
      waitSeconds: 0,
    });
  });

  it('lets a call win over a pause declared during it', () => {
    const [d] = timeInStates(
      [{ state: 'paused', startedAt: at(150), until: at(400) }],
      [call(100, 110, 200, 220)],
      DAY,
      at(5000),
      WRAP,
    );
    expect(d).toMatchObject({ talkSeconds: 90, wrapUpSeconds: 20, pauseSeconds: 400 - 220 });
  });

  it('counts nothing after now: a call on the line and a stretch still held', () => {
    const [d] = timeInStates(
      [{ state: 'ready', startedAt: at(0), until: at(300) }],
      [call(200, 210, null, null)],
      DAY,
      at(300),
      WRAP,
    );
    expect(d).toMatchObject({ waitSeconds: 200, dialSeconds: 10, talkSeconds: 90 });
  });

  it('splits time at midnight between the days it falls on', () => {
    const days = [day('d1', 0, 1000), day('d2', 1000, 2000)];
    const out = timeInStates(
      [{ state: 'ready', startedAt: at(900), until: at(1200) }],
      [call(950, 960, 1050, 1060)],
      days,
      at(5000),
      WRAP,
    );
    expect(out).toEqual([
      {
        day: 'd1',
        talkSeconds: 40,
        dialSeconds: 10,
        waitSeconds: 50,
        wrapUpSeconds: 0,
        pauseSeconds: 0,
      },
      {
        day: 'd2',
        talkSeconds: 50,
        dialSeconds: 0,
        waitSeconds: 140,
        wrapUpSeconds: 10,
        pauseSeconds: 0,
      },
    ]);
  });
});
