import { ApiProperty } from '@nestjs/swagger';
import { IsISO8601, IsString, Matches, MaxLength } from 'class-validator';

export class ContactIdParam {
  @ApiProperty({ example: '1234', description: 'the contact id (a number)' })
  @Matches(/^[1-9]\d{0,17}$/, { message: 'id must be a contact id (a whole number)' })
  id!: string;
}

export class WrittenConsentDto {
  @ApiProperty({
    example: '2026-01-15T10:00:00Z',
    description:
      'when the person gave prior express written consent to automated calls (not in the future)',
  })
  @IsISO8601({ strict: true }, { message: 'consentAt must be an ISO 8601 date or date-time' })
  consentAt!: string;

  @ApiProperty({
    example: 'Signed web form, submission #8812',
    maxLength: 500,
    description: 'where the written consent is kept, so it can be shown on request',
  })
  @IsString()
  @Matches(/\S/, { message: 'source must not be blank' })
  @MaxLength(500)
  source!: string;
}
