import { type DynamicModule, Global, Module } from '@nestjs/common';
import type { AppConfig } from './app-config';

export const APP_CONFIG = Symbol('APP_CONFIG');

/** The HTTP client the Twilio REST client uses, when not its own (tests pass a recording fake). */
export const TWILIO_HTTP_CLIENT = Symbol('TWILIO_HTTP_CLIENT');

/** Makes the validated configuration injectable everywhere as `@Inject(APP_CONFIG)`. */
@Global()
@Module({})
export class ConfigModule {
  static register(config: AppConfig, twilioHttpClient?: unknown): DynamicModule {
    return {
      module: ConfigModule,
      providers: [
        { provide: APP_CONFIG, useValue: config },
        { provide: TWILIO_HTTP_CLIENT, useValue: twilioHttpClient ?? null },
      ],
      exports: [APP_CONFIG, TWILIO_HTTP_CLIENT],
    };
  }
}
