import {
  ArgumentsHost,
  Catch,
  ExceptionFilter,
  HttpException,
  HttpStatus,
  Logger,
} from '@nestjs/common';
import type { FastifyReply } from 'fastify';
import { STATUS_CODES } from 'node:http';
import { AppError, type FieldProblem, httpStatusOf } from './app-error';
import { poolBusyError } from '../database/pg-pool';
import type { ErrorBody } from './error-body';
import { ERROR_CODES, type ErrorCode, genericCode } from './error-codes';

/**
 * Every error leaves in the shape of API.md: `{statusCode, error, code, message, details}`, where
 * `code` is the error's stable reason (ERROR_CODES), or a generic one from the status.
 * Unexpected errors are logged in full and answered with a bare 500: no stack, no SQL.
 */
@Catch()
export class HttpExceptionFilter implements ExceptionFilter {
  private readonly logger = new Logger('HttpExceptionFilter');

  catch(thrown: unknown, host: ArgumentsHost): void {
    // No pooled connection within DB_POOL_ACQUIRE_TIMEOUT_MS: 503 busy with Retry-After.
    const exception = poolBusyError(thrown) ?? thrown;
    const reply = host.switchToHttp().getResponse<FastifyReply>();
    const body = this.toBody(exception);
    if (exception instanceof AppError && exception.retryAfterSeconds !== undefined) {
      void reply.header('retry-after', String(exception.retryAfterSeconds));
    }
    void reply.status(body.statusCode).type('application/json; charset=utf-8').send(body);
  }

  private toBody(exception: unknown): ErrorBody {
    if (exception instanceof AppError) {
      return body(
        httpStatusOf(exception.code),
        exception.message,
        exception.details,
        exception.reason,
      );
    }
    if (exception instanceof HttpException) {
      const status = exception.getStatus();
      const res = exception.getResponse();
      if (typeof res === 'object' && res !== null) {
        const r = res as { message?: unknown; details?: FieldProblem[]; code?: unknown };
        const message = Array.isArray(r.message)
          ? r.message.join('; ')
          : typeof r.message === 'string'
            ? r.message
            : exception.message;
        return body(status, message, r.details ?? [], isErrorCode(r.code) ? r.code : undefined);
      }
      return body(status, String(res));
    }
    // Errors raised by Fastify itself before our code runs: malformed JSON, wrong media type,
    // body too large. They carry a 4xx statusCode and a message safe to show.
    const fastifyError = exception as { statusCode?: unknown; code?: unknown; message?: unknown };
    if (
      typeof fastifyError?.statusCode === 'number' &&
      fastifyError.statusCode >= 400 &&
      fastifyError.statusCode < 500 &&
      typeof fastifyError.code === 'string' &&
      fastifyError.code.startsWith('FST_')
    ) {
      return body(fastifyError.statusCode, String(fastifyError.message));
    }
    this.logger.error(
      exception instanceof Error ? (exception.stack ?? exception.message) : exception,
    );
    return body(HttpStatus.INTERNAL_SERVER_ERROR, 'Internal server error');
  }
}

function body(
  statusCode: number,
  message: string,
  details: FieldProblem[] = [],
  code: ErrorCode = genericCode(statusCode),
): ErrorBody {
  return { statusCode, error: STATUS_CODES[statusCode] ?? 'Error', code, message, details };
}

function isErrorCode(x: unknown): x is ErrorCode {
  return typeof x === 'string' && (ERROR_CODES as readonly string[]).includes(x);
}
