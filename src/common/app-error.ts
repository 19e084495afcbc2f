import { HttpStatus } from '@nestjs/common';
import type { ErrorCode } from './error-codes';

/** Domain errors, raised by services, mapped to HTTP in one place (`httpStatusOf`). */
export type AppErrorCode =
  | 'not_found'
  | 'conflict'
  | 'invalid'
  | 'unauthenticated'
  | 'forbidden'
  | 'rate_limited'
  /** 503: the service is short of a resource (connections, stream slots); retry later. */
  | 'unavailable';

export interface FieldProblem {
  field: string;
  message: string;
}

/** The rest of an error, for the constructor's third argument. */
export interface AppErrorOptions {
  /** The specific, stable reason (the body's `code`); without one, a generic code from `code`. */
  reason?: ErrorCode;
  details?: FieldProblem[];
  /** Seconds a rate-limited caller should wait; becomes `Retry-After`. */
  retryAfterSeconds?: number;
}

export class AppError extends Error {
  readonly details: FieldProblem[];
  /** Seconds a rate-limited caller should wait; becomes `Retry-After`. */
  readonly retryAfterSeconds?: number;
  /** The specific reason the error body carries in `code` (see ERROR_CODES). */
  readonly reason?: ErrorCode;

  /**
   * `code` is the class of the error (it picks the HTTP status); the third argument is either the
   * field problems or `{reason, details, retryAfterSeconds}`.
   */
  constructor(
    readonly code: AppErrorCode,
    message: string,
    detailsOrOptions: FieldProblem[] | AppErrorOptions = [],
    retryAfterSeconds?: number,
  ) {
    super(message);
    this.name = 'AppError';
    const options = Array.isArray(detailsOrOptions)
      ? { details: detailsOrOptions, retryAfterSeconds }
      : detailsOrOptions;
    this.details = options.details ?? [];
    this.retryAfterSeconds = options.retryAfterSeconds ?? retryAfterSeconds;
    this.reason = options.reason;
  }

  static notFound(what: string): AppError {
    return new AppError('not_found', `${what} not found`);
  }
}

export function httpStatusOf(code: AppErrorCode): HttpStatus {
  switch (code) {
    case 'not_found':
      return HttpStatus.NOT_FOUND;
    case 'conflict':
      return HttpStatus.CONFLICT;
    case 'invalid':
      return HttpStatus.BAD_REQUEST;
    case 'unauthenticated':
      return HttpStatus.UNAUTHORIZED;
    case 'forbidden':
      return HttpStatus.FORBIDDEN;
    case 'rate_limited':
      return HttpStatus.TOO_MANY_REQUESTS;
    case 'unavailable':
      return HttpStatus.SERVICE_UNAVAILABLE;
  }
}
