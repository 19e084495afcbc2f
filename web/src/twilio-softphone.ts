import type { PhoneEvent, Softphone } from './softphone.js';

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
    throw new PhoneError('The phone (Twilio Voice SDK) could not be loaded; reload the page.');
  });
  return loading;
}

/** An error this module already put in words. */
class PhoneError extends Error {}

/** A Voice SDK error (or a browser media error) in words a caller can act on. */
export function phoneErrorInWords(e: unknown): string {
  if (e instanceof PhoneError) return e.message;
  const err = (e ?? {}) as { code?: number; name?: string; message?: string };
  const code = typeof err.code === 'number' ? err.code : undefined;
  if (code === 31401 || err.name === 'NotAllowedError' || err.name === 'PermissionDeniedError') {
    return 'The browser may not use the microphone: allow it for this site (the icon in the address bar), then call again.';
  }
  if (code === 31402 || err.name === 'NotFoundError' || err.name === 'NotReadableError') {
    return 'No microphone could be opened: plug one in or close the program using it, then call again.';
  }
  if (code === 20104 || code === 31205) {
    return "The phone's access token has expired; reload the page to get a new one.";
  }
  if (code === 20101 || code === 20103 || code === 31201 || code === 31204) {
    return "Twilio refused the phone's access token; ask an administrator to check the Twilio settings.";
  }
  if (code === 31005 || code === 31009 || code === 53000 || code === 53405) {
    return 'The connection to Twilio was lost; check the network and call again.';
  }
  const what = err.message || (typeof e === 'string' ? e : 'unknown error');
  return `The phone reported an error${code ? ` (${code})` : ''}: ${what}`;
}

/**
 * The phone over Twilio's Voice SDK. The `Device` is made on the first call (after the caller's
 * click, as browsers' audio rules want) with a token from `GET /telephony/token`, and gets a
 * fresh one whenever it says the old one will expire. `connect` passes only the call id: the
 * service's voice webhook dials the number it leased for that call, never one from the browser.
 */
/** The detail of a disconnect when the device failed before the provider had the call. */
export const NOT_PLACED = 'not placed';

export class TwilioSoftphone implements Softphone {
  private device: TwilioDevice | null = null;
  private call: TwilioCall | null = null;
  private handler: (e: PhoneEvent, detail?: string) => void = () => undefined;

  /** `token` answers a fresh Access Token (GET /telephony/token). */
  constructor(private readonly token: () => Promise<string>) {}

  on(handler: (e: PhoneEvent, detail?: string) => void): void {
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
      this.handler('error', phoneErrorInWords(e));
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
      this.handler('error', phoneErrorInWords(e));
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
    const device = new Device(await this.freshToken(), { closeProtection: true });
    device.on('tokenWillExpire', () => {
      this.freshToken()
        .then((t) => device.updateToken(t))
        .catch((e: unknown) => this.handler('error', phoneErrorInWords(e)));
    });
    // Errors of a call also arrive on the call itself (handled there); these are the Device's own.
    device.on('error', (e, call) => {
      if (!call) this.handler('error', phoneErrorInWords(e));
    });
    this.device = device;
    return device;
  }

  private async freshToken(): Promise<string> {
    try {
      return await this.token();
    } catch (e) {
      throw new PhoneError(
        `The phone could not get its access token: ${e instanceof Error ? e.message : String(e)}`,
      );
    }
  }
}
