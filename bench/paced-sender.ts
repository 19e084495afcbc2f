import { fork } from 'node:child_process';
import http from 'node:http';

/** A signed webhook request, ready to send. */
export interface SignedRequest {
  path: string;
  body: string;
  signature: string;
}

export interface PacedFigures {
  eventsPerSecond: number;
  p50Ms: number;
  p99Ms: number;
  requests: number;
  failed: number;
}

const SENDERS = 64;

/**
 * Events arriving as Twilio sends them: independent arrivals (exponential gaps) at `rate` per
 * second over at most 64 open connections; latency from the moment each one was due. The sender
 * runs in a process of its own, as Twilio is not in ours: in the service's process its own work
 * and garbage collection would stall the service's event loop and count as the service's latency.
 */
export function sendPaced(
  base: string,
  events: SignedRequest[],
  rate: number,
): Promise<PacedFigures> {
  const child = fork(__filename, [], { stdio: ['ignore', 'inherit', 'inherit', 'ipc'] });
  return new Promise<PacedFigures>((resolve, reject) => {
    child.once('message', (m) => resolve(m as PacedFigures));
    child.once('error', reject);
    child.once('exit', (code) => {
      if (code !== 0) reject(new Error(`the paced sender exited with ${code}`));
    });
    child.send({ base, events, rate });
  });
}

async function send(base: string, events: SignedRequest[], rate: number): Promise<PacedFigures> {
  const agent = new http.Agent({ keepAlive: true, maxSockets: SENDERS });
  const url = new URL(base);
  const latencies: number[] = [];
  let failed = 0;
  const start = performance.now();
  let due = start;
  const pending: Promise<void>[] = [];
  for (const e of events) {
    due += -Math.log(1 - Math.random()) * (1000 / rate);
    const wait = due - performance.now();
    if (wait > 1) await new Promise((r) => setTimeout(r, wait));
    const sentAt = due;
    pending.push(
      new Promise<void>((resolve) => {
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
            res.on('end', () => {
              if (res.statusCode !== 204) failed++;
              latencies.push(performance.now() - sentAt);
              resolve();
            });
          },
        );
        req.on('error', () => {
          failed++;
          resolve();
        });
        req.end(e.body);
      }),
    );
  }
  await Promise.all(pending);
  agent.destroy();
  latencies.sort((a, b) => a - b);
  const at = (q: number) => Number(latencies[Math.floor(q * (latencies.length - 1))].toFixed(1));
  return {
    eventsPerSecond: events.length / ((performance.now() - start) / 1000),
    p50Ms: at(0.5),
    p99Ms: at(0.99),
    requests: events.length,
    failed,
  };
}

// Forked by sendPaced: one run, answered over IPC.
if (require.main === module && process.send) {
  process.once('message', (m: { base: string; events: SignedRequest[]; rate: number }) => {
    void send(m.base, m.events, m.rate).then((figures) =>
      process.send!(figures, () => process.disconnect()),
    );
  });
}
