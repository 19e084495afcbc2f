import { HttpStatus } from '@nestjs/common';

/** Domain errors, raised by services, mapped to HTTP in one place (`httpStatusOf`). */
export type AppErrorCode =
  'not_found' | 'conflict' | 'invalid' | 'unauthenticated' | 'forbidden' | 'rate_limited';

export interface FieldProblem {
  field: string;
  message: string;
}

export class AppError extends Error {
  constructor(
    readonly code: AppErrorCode,
    message: string,
    readonly details: FieldProblem[] = [],
    /** Seconds a rate-limited caller should wait; becomes `Retry-After`. */
    readonly retryAfterSeconds?: number,
  ) {
    super(message);
    this.name = 'AppError';
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
  }
}
