import { BadRequestException, ValidationPipe, type ValidationError } from '@nestjs/common';
import type { FieldProblem } from './app-error';

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

/** The one pipe every request body and query goes through: unknown fields are refused, not dropped. */
export function createValidationPipe(): ValidationPipe {
  return new ValidationPipe({
    whitelist: true,
    forbidNonWhitelisted: true,
    transform: true,
    stopAtFirstError: false,
    exceptionFactory: (errors) => {
      const details = fieldProblems(errors);
      const fields = [...new Set(details.map((d) => d.field))];
      return new BadRequestException({
        message: `Invalid request: ${fields.join(', ')}`,
        details,
      });
    },
  });
}
