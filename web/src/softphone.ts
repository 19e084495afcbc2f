import { call } from './api.js';

export type PhoneEvent = 'ringing' | 'accept' | 'disconnect' | 'error';

/**
 * The console's phone: `TwilioSoftphone` over the Voice SDK's Device, or `SimulatedSoftphone`,
 * which reports the same events through the service's simulation endpoint (signed callbacks on
 * the server side), so the rest of the console does not know which one it has.
 */
export interface Softphone {
  connect(callId: string): Promise<void>;
  disconnect(): Promise<void>;
  mute(on: boolean): void;
  sendDigits(digits: string): void;
  on(handler: (e: PhoneEvent, detail?: string) => void): void;
}

type SimEvent = 'ringing' | 'answered' | 'completed' | 'busy' | 'no-answer';

export class SimulatedSoftphone implements Softphone {
  private callId: string | null = null;
  private handler: (e: PhoneEvent, detail?: string) => void = () => undefined;

  on(handler: (e: PhoneEvent, detail?: string) => void): void {
    this.handler = handler;
  }

  async connect(callId: string): Promise<void> {
    this.callId = callId;
    this.muted = false;
    this.digits = '';
    await this.send('ringing');
    this.handler('ringing');
  }

  /** Takes a call placed before a reload back in hand (no event is sent). */
  resume(callId: string, _answered: boolean): void {
    this.callId = callId;
  }

  /** What the tester chooses: the contact answers, does not answer, or is busy. */
  async simulate(outcome: 'answer' | 'no-answer' | 'busy'): Promise<void> {
    if (outcome === 'answer') {
      await this.send('answered');
      this.handler('accept');
    } else {
      await this.send(outcome);
      this.callId = null;
      this.handler('disconnect', outcome);
    }
  }

  async disconnect(): Promise<void> {
    if (!this.callId) return;
    await this.send('completed');
    this.callId = null;
    this.handler('disconnect');
  }

  /** What a tester would hear: nothing; mute and the digits are only kept, for the page to show. */
  muted = false;
  digits = '';

  mute(on: boolean): void {
    this.muted = on;
  }
  sendDigits(digits: string): void {
    this.digits += digits;
  }

  private async send(event: SimEvent): Promise<void> {
    if (!this.callId) return;
    try {
      await call('POST', `/telephony/simulated/calls/${this.callId}/events`, { event });
    } catch (e) {
      this.handler('error', e instanceof Error ? e.message : String(e));
      throw e;
    }
  }
}
