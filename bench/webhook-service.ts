import { fork } from 'node:child_process';
import type { AppConfig } from '../src/config/app-config';
import { TelephonyEvents } from '../src/calls/telephony/telephony-events.service';
import { TwilioSignatureGuard } from '../src/calls/telephony/twilio-signature.guard';
import { benchApp } from './support';

/** The webhooks bench's service, in a process of its own, with its stubs switched over IPC. */
export interface WebhookService {
  base: string;
  /** Signature check and storage stubbed (true) or real (false) from the next request on. */
  stub: (on: boolean) => Promise<void>;
  stop: () => Promise<void>;
}

type Command = { kind: 'stub'; on: boolean } | { kind: 'stop' };

/**
 * Starts the service for the webhooks bench as its own process, as Twilio reaches it: the bench's
 * own data (tens of thousands of signed events, made just before each run) then never passes
 * through the service's garbage collector, and the service's pauses are its own.
 */
export function webhookService(
  databaseUrl: string,
  overrides: Partial<AppConfig>,
): Promise<WebhookService> {
  const child = fork(__filename, [], { stdio: ['ignore', 'inherit', 'inherit', 'ipc'] });
  const ask = (command: Command) =>
    new Promise<void>((resolve) => {
      child.once('message', () => resolve());
      child.send(command);
    });
  return new Promise<WebhookService>((resolve, reject) => {
    child.once('error', reject);
    child.once('exit', (code) => reject(new Error(`the bench service exited with ${code}`)));
    child.once('message', (m) => {
      resolve({
        base: (m as { base: string }).base,
        stub: (on) => ask({ kind: 'stub', on }),
        stop: async () => {
          const exited = new Promise((r) => child.once('exit', r));
          child.send({ kind: 'stop' } satisfies Command);
          await exited;
        },
      });
    });
    child.send({ databaseUrl, overrides });
  });
}

/** The same route with the signature check and the storage stubbed: Nest + Fastify alone. */
function setStubs(on: boolean, real: { guard: PropertyDescriptor; status: PropertyDescriptor }) {
  if (on) {
    TwilioSignatureGuard.prototype.canActivate = () => true;
    TelephonyEvents.prototype.status = () => Promise.resolve();
  } else {
    Object.defineProperty(TwilioSignatureGuard.prototype, 'canActivate', real.guard);
    Object.defineProperty(TelephonyEvents.prototype, 'status', real.status);
  }
}

// Forked by webhookService: the service, then commands over IPC until told to stop.
if (require.main === module && process.send) {
  const real = {
    guard: Object.getOwnPropertyDescriptor(TwilioSignatureGuard.prototype, 'canActivate')!,
    status: Object.getOwnPropertyDescriptor(TelephonyEvents.prototype, 'status')!,
  };
  process.once('message', (m: { databaseUrl: string; overrides: Partial<AppConfig> }) => {
    void benchApp(m.databaseUrl, m.overrides).then(({ app, base }) => {
      process.on('message', (command: Command) => {
        if (command.kind === 'stub') {
          setStubs(command.on, real);
          process.send!({ ok: true });
        } else void app.close().then(() => process.exit(0));
      });
      process.send!({ base });
    });
  });
}
