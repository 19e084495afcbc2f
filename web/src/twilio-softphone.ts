import type { PhoneEvent, Softphone } from './softphone.js';
import { describeVoiceError, type VoiceErrorInfo, type VoiceErrorKind } from './voice-errors.js';

/** Where the service serves the Voice SDK's browser build (`@twilio/voice-sdk`, `dist/`). */
export const VOICE_SDK_URL = '/vendor/twilio.min.js';

/** What the console uses of the SDK's `Call` (v2.x). */
export interface TwilioCall {
  on(event: string, listener: (...args: unknown[]) => void): unknown;
  mute(shouldMute?: boolean): void;
  sendDigits(digits: string): void;
  disconnect(): void;
  status(): string;
}

/** What the console uses of the SDK's `Device` (v2.x). */
export interface TwilioDevice {
  on(event: string, listener: (...args: unknown[]) => void): unknown;
  connect(options: { params: Record<string, string> }): Promise<TwilioCall>;
  updateToken(token: string): void;
}

type DeviceClass = new (token: string, options?: Record<string, unknown>) => TwilioDevice;

declare global {
  interface Window {
    Twilio?: { Device?: DeviceClass };
  }
}

let loading: Promise<DeviceClass> | null = null;

/** Loads the SDK's script once (it sets `window.Twilio`); the console does it only in twilio mode. */
export function loadVoiceSdk(): Promise<DeviceClass> {
  if (window.Twilio?.Device) return Promise.resolve(window.Twilio.Device);
  loading ??= new Promise<DeviceClass>((resolve, reject) => {
    const script = document.createElement('script');
    script.src = VOICE_SDK_URL;
    script.onload = () =>
      window.Twilio?.Device ? resolve(window.Twilio.Device) : reject(new Error('no Device'));
    script.onerror = () => reject(new Error('not served'));
    document.head.append(script);
  }).catch(() => {
    loading = null;
    throw new PhoneError(
      'The phone (Twilio Voice SDK) could not be loaded; reload the page.',
      'network',
    );
  });
  return loading;
}

/** An error this module already put in words. */
class PhoneError extends Error {
  constructor(
    message: string,
    readonly kind: VoiceErrorKind,
  ) {
    super(message);
  }
}

/** What an `error` event carries besides its words: their kind, and the SDK's code if any. */
export interface PhoneErrorInfo extends VoiceErrorInfo {
  code: number | null;
}

/**
 * A Voice SDK error (or a browser media error) as the caller should hear of it: a token, set-up
 * (configuration), microphone, network or other problem, in words they can act on (the table in
 * voice-errors.ts).
 */
export function phoneError(e: unknown): PhoneErrorInfo {
  if (e instanceof PhoneError) return { kind: e.kind, message: e.message, code: null };
  return describeVoiceError(e);
}

/** A Voice SDK error (or a browser media error) in words a caller can act on. */
export function phoneErrorInWords(e: unknown): string {
  return phoneError(e).message;
}

/**
 * The phone over Twilio's Voice SDK. The `Device` is made on the first call (after the caller's
 * click, as browsers' audio rules want) with a token from `GET /telephony/token`, and gets a
 * fresh one whenever it says the old one will expire. `connect` passes only the call id: the
 * service's voice webhook dials the number it leased for that call, never one from the browser.
 */
/** The detail of a disconnect when the device failed before the provider had the call. */
export const NOT_PLACED = 'not placed';

/** The phone's listener: `Softphone`'s, plus an `error` event's kind and code. */
export type PhoneHandler = (e: PhoneEvent, detail?: string, error?: PhoneErrorInfo) => void;

export class TwilioSoftphone implements Softphone {
  private device: TwilioDevice | null = null;
  private call: TwilioCall | null = null;
  private handler: PhoneHandler = () => undefined;

  /** `token` answers a fresh Access Token (GET /telephony/token). */
  constructor(private readonly token: () => Promise<string>) {}

  /**
   * An `error` event's detail is its words; the third argument says what kind of problem it is
   * (token, configuration, microphone, network, other) and the SDK's code, for whoever wants them.
   */
  on(handler: PhoneHandler): void {
    this.handler = handler;
  }

  /** Loads the SDK ahead of the first call (no Device yet: that waits for a click). */
  preload(): Promise<void> {
    return loadVoiceSdk().then(() => undefined);
  }

  async connect(callId: string): Promise<void> {
    let call: TwilioCall;
    try {
      const device = await this.ready();
      call = await device.connect({ params: { callId } });
    } catch (e) {
      // Nothing reached Twilio: the console takes the dial back so the caller can try again.
      this.fail(e);
      this.handler('disconnect', NOT_PLACED);
      return;
    }
    this.call = call;
    let ended = false;
    const end = (detail?: string) => {
      if (ended) return;
      ended = true;
      if (this.call === call) this.call = null;
      this.handler('disconnect', detail);
    };
    call.on('ringing', () => !ended && this.handler('ringing'));
    call.on('accept', () => !ended && this.handler('accept'));
    call.on('disconnect', () => end());
    call.on('cancel', () => end('canceled'));
    call.on('reject', () => end('rejected'));
    call.on('error', (e) => {
      this.fail(e);
      if (call.status() === 'closed') end('failed');
    });
  }

  disconnect(): Promise<void> {
    this.call?.disconnect();
    return Promise.resolve();
  }

  mute(on: boolean): void {
    this.call?.mute(on);
  }

  sendDigits(digits: string): void {
    this.call?.sendDigits(digits);
  }

  private async ready(): Promise<TwilioDevice> {
    if (this.device) return this.device;
    const Device = await loadVoiceSdk();
    // Precise error codes: a refused or expired token and a wrong TwiML App get their own codes
    // instead of 53000 / 31005, which read as a network problem (see voice-errors.ts).
    const device = new Device(await this.freshToken(), {
      closeProtection: true,
      enableImprovedSignalingErrorPrecision: true,
    });
    device.on('tokenWillExpire', () => {
      this.freshToken()
        .then((t) => device.updateToken(t))
        .catch((e: unknown) => this.fail(e));
    });
    // Errors of a call also arrive on the call itself (handled there); these are the Device's own.
    device.on('error', (e, call) => {
      if (!call) this.fail(e);
    });
    this.device = device;
    return device;
  }

  /** Reports an error: its words as the detail, its kind and code beside them. */
  private fail(e: unknown): void {
    const info = phoneError(e);
    this.handler('error', info.message, info);
  }

  private async freshToken(): Promise<string> {
    try {
      return await this.token();
    } catch (e) {
      throw new PhoneError(
        `The phone could not get its access token: ${e instanceof Error ? e.message : String(e)}`,
        'token',
      );
    }
  }
}
