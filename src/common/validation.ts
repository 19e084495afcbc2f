import {
  type ArgumentMetadata,
  BadRequestException,
  ValidationPipe,
  type ValidationError,
} from '@nestjs/common';
import type { FieldProblem } from './app-error';
import { unsafeTextProblems } from './text-safety';

/** Flattens class-validator errors into `details: [{field, message}]`, with dotted paths for nested fields. */
export function fieldProblems(errors: ValidationError[], parent = ''): FieldProblem[] {
  const out: FieldProblem[] = [];
  for (const e of errors) {
    const field = parent ? `${parent}.${e.property}` : e.property;
    for (const message of Object.values(e.constraints ?? {})) {
      out.push({
        field,
        message: message.replace(/^property (\S+) should not exist$/, 'unknown field'),
      });
    }
    if (e.children?.length) out.push(...fieldProblems(e.children, field));
  }
  return out;
}

function invalid(details: FieldProblem[]): BadRequestException {
  const fields = [...new Set(details.map((d) => d.field))];
  return new BadRequestException({ message: `Invalid request: ${fields.join(', ')}`, details });
}

/**
 * Before any DTO sees them, a body's, query's or path's text with a NUL or a lone surrogate is
 * refused, naming its fields (DTO or not: free-form objects and single `@Query('x')` values too).
 */
class AppValidationPipe extends ValidationPipe {
  override async transform(value: unknown, metadata: ArgumentMetadata): Promise<unknown> {
    if (metadata.type !== 'custom') {
      const unsafe = unsafeTextProblems(value, metadata.data ?? '');
      if (unsafe.length > 0) throw invalid(unsafe);
    }
    return super.transform(value, metadata);
  }
}

/** The one pipe every request body and query goes through: unknown fields are refused, not dropped. */
export function createValidationPipe(): ValidationPipe {
  return new AppValidationPipe({
    whitelist: true,
    forbidNonWhitelisted: true,
    transform: true,
    stopAtFirstError: false,
    exceptionFactory: (errors) => invalid(fieldProblems(errors)),
  });
}
