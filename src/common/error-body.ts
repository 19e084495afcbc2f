import { ApiProperty } from '@nestjs/swagger';
import { ERROR_CODES, type ErrorCode } from './error-codes';

/** One field-level problem of a refused request. */
export class FieldProblemBody {
  @ApiProperty({ example: 'recallAt', description: 'the field, dotted for nested ones' })
  field!: string;

  @ApiProperty({ example: 'must be in the future' })
  message!: string;
}

/** Every error body the service answers (OpenAPI schema `ErrorBody`). */
export class ErrorBody {
  @ApiProperty({ example: 409 })
  statusCode!: number;

  @ApiProperty({ example: 'Conflict', description: "the status's name" })
  error!: string;

  @ApiProperty({
    enum: ERROR_CODES,
    enumName: 'ErrorCode',
    example: 'lease_lost',
    description:
      'Stable machine-readable reason: branch on this, never on `message`. A specific reason when ' +
      'there is one, else a generic one from the status (invalid, unauthenticated, forbidden, ' +
      'not_found, conflict, rate_limited, internal, ...).',
  })
  code!: ErrorCode;

  @ApiProperty({
    example: 'Your hold on this contact has ended; take the next contact',
    description: 'for people; its wording may change',
  })
  message!: string;

  @ApiProperty({ type: [FieldProblemBody], description: 'field-level problems, when any' })
  details!: FieldProblemBody[];
}
