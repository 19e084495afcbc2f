import { type CanActivate, type ExecutionContext, Injectable } from '@nestjs/common';
import type { FastifyRequest } from 'fastify';
import twilio from 'twilio';
import { AppError } from '../../common/app-error';
import { Telephony } from './telephony';
import { isFormParams } from './webhook-params';

/**
 * Every request to `/telephony/twilio/*` must carry a valid `X-Twilio-Signature`, computed over
 * the URL Twilio used (the configured public base URL plus the raw path and query, never the
 * Host header) and the form fields as posted. Anything else answers 403 and changes nothing.
 */
@Injectable()
export class TwilioSignatureGuard implements CanActivate {
  constructor(private readonly telephony: Telephony) {}

  canActivate(ctx: ExecutionContext): boolean {
    const req = ctx.switchToHttp().getRequest<FastifyRequest>();
    const signature = req.headers['x-twilio-signature'];
    const form = String(req.headers['content-type'] ?? '').startsWith(
      'application/x-www-form-urlencoded',
    );
    const url = this.telephony.publicUrl(req.raw.url ?? req.url);
    if (
      typeof signature !== 'string' ||
      !form ||
      !isFormParams(req.body) ||
      !twilio.validateRequest(this.telephony.webhookAuthToken, signature, url, req.body)
    ) {
      throw new AppError('forbidden', 'Missing or invalid X-Twilio-Signature', {
        reason: 'bad_signature',
      });
    }
    return true;
  }
}
