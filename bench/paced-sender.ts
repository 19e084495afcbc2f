import { fork } from 'node:child_process';
import http from 'node:http';

/** A signed webhook request, ready to send. */
export interface SignedRequest {
  path: string;
  body: string;
  signature: string;
}

export interface SenderFigures {
  eventsPerSecond: number;
  p50Ms: number;
  p99Ms: number;
  requests: number;
  failed: number;
}

const SENDERS = 64;

/** How to send: flat out over 64 connections, or independent arrivals at `rate` per second. */
type Mode = { kind: 'saturated' } | { kind: 'paced'; rate: number };

/**
 * Sends the events as Twilio would, from a process of its own, as Twilio is not in ours: in the
 * service's process the sender's own work and garbage collection would stall the service's event
 * loop and count as the service's latency.
 *
 * - `saturated`: 64 connections each sending its next event as soon as the last one is answered
 *   (closed loop: the rate the service can take; latency is then about senders ÷ rate).
 * - `paced`: independent arrivals (exponential gaps) at `rate` per second over at most 64 open
 *   connections; latency from the moment each one was due.
 */
export function sendFromChild(
  base: string,
  events: SignedRequest[],
  mode: Mode,
): Promise<SenderFigures> {
  const child = fork(__filename, [], { stdio: ['ignore', 'inherit', 'inherit', 'ipc'] });
  return new Promise<SenderFigures>((resolve, reject) => {
    child.once('message', (m) => resolve(m as SenderFigures));
    child.once('error', reject);
    child.once('exit', (code) => {
      if (code !== 0) reject(new Error(`the sender exited with ${code}`));
    });
    child.send({ base, events, mode });
  });
}

/** Independent arrivals at `rate` per second (see sendFromChild). */
export function sendPaced(
  base: string,
  events: SignedRequest[],
  rate: number,
): Promise<SenderFigures> {
  return sendFromChild(base, events, { kind: 'paced', rate });
}

/** One request; answers its status code (0 when it failed to get one). */
function post(agent: http.Agent, url: URL, e: SignedRequest): Promise<number> {
  return new Promise<number>((resolve) => {
    const req = http.request(
      {
        agent,
        host: url.hostname,
        port: url.port,
        method: 'POST',
        path: e.path,
        headers: {
          'content-type': 'application/x-www-form-urlencoded',
          'content-length': Buffer.byteLength(e.body),
          'x-twilio-signature': e.signature,
        },
      },
      (res) => {
        res.resume();
        res.on('end', () => resolve(res.statusCode ?? 0));
      },
    );
    req.on('error', () => resolve(0));
    req.end(e.body);
  });
}

async function send(base: string, events: SignedRequest[], mode: Mode): Promise<SenderFigures> {
  const agent = new http.Agent({ keepAlive: true, maxSockets: SENDERS });
  const url = new URL(base);
  const latencies: number[] = [];
  let failed = 0;
  const start = performance.now();
  const one = async (e: SignedRequest, sentAt: number) => {
    const status = await post(agent, url, e);
    if (status !== 204) failed++;
    latencies.push(performance.now() - sentAt);
  };
  if (mode.kind === 'saturated') {
    let next = 0;
    await Promise.all(
      Array.from({ length: SENDERS }, async () => {
        while (next < events.length) {
          const e = events[next++];
          await one(e, performance.now());
        }
      }),
    );
  } else {
    let due = start;
    const pending: Promise<void>[] = [];
    for (const e of events) {
      due += -Math.log(1 - Math.random()) * (1000 / mode.rate);
      const wait = due - performance.now();
      if (wait > 1) await new Promise((r) => setTimeout(r, wait));
      pending.push(one(e, due));
    }
    await Promise.all(pending);
  }
  const seconds = (performance.now() - start) / 1000;
  agent.destroy();
  latencies.sort((a, b) => a - b);
  const at = (q: number) => Number(latencies[Math.floor(q * (latencies.length - 1))].toFixed(1));
  return {
    eventsPerSecond: events.length / seconds,
    p50Ms: at(0.5),
    p99Ms: at(0.99),
    requests: events.length,
    failed,
  };
}

// Forked by sendFromChild: one run, answered over IPC.
if (require.main === module && process.send) {
  process.once('message', (m: { base: string; events: SignedRequest[]; mode: Mode }) => {
    void send(m.base, m.events, m.mode).then((figures) =>
      process.send!(figures, () => process.disconnect()),
    );
  });
}
