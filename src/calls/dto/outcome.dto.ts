import { ApiProperty, ApiPropertyOptional } from '@nestjs/swagger';
import { Type } from 'class-transformer';
import {
  IsBoolean,
  IsDefined,
  IsEmail,
  IsIn,
  IsInt,
  IsISO8601,
  IsOptional,
  IsString,
  Matches,
  Max,
  MaxLength,
  Min,
  MinLength,
  ValidateIf,
  ValidateNested,
} from 'class-validator';
import { DISPOSITIONS, type Disposition } from '../outcome-rules';

export const RATINGS = ['very_interested', 'needs_work'] as const;
export const TIMEFRAMES = ['this_month', 'quarter', 'half_year', 'later', 'unknown'] as const;
export const BUDGETS = ['confirmed', 'likely', 'unknown', 'none'] as const;
export const DECISION_MAKERS = ['yes', 'influencer', 'no'] as const;
export const NEXT_STEPS = ['quote', 'demo', 'technical_questions', 'meeting'] as const;

export class ReferralContactDto {
  @ApiProperty({ maxLength: 200 }) @IsString() @MinLength(1) @MaxLength(200) name!: string;
  @ApiPropertyOptional({ maxLength: 200 }) @IsOptional() @IsString() @MaxLength(200) title?: string;
  @ApiPropertyOptional({ maxLength: 40 }) @IsOptional() @IsString() @MaxLength(40) phone?: string;
  @ApiPropertyOptional() @IsOptional() @IsEmail() @MaxLength(254) email?: string;
  @ApiPropertyOptional({ maxLength: 300 })
  @IsOptional()
  @IsString()
  @MaxLength(300)
  website?: string;
  @ApiPropertyOptional({ maxLength: 200 })
  @IsOptional()
  @IsString()
  @MaxLength(200)
  company?: string;
}

/** What the caller confirmed; the referrals issue scores and publishes it. */
export class ReferralDto {
  @ApiProperty({ enum: RATINGS }) @IsIn(RATINGS) rating!: (typeof RATINGS)[number];
  @ApiProperty({ description: 'the need, in words a stranger understands', maxLength: 5000 })
  @IsString()
  @MinLength(1)
  @MaxLength(5000)
  need!: string;
  @ApiPropertyOptional({ enum: TIMEFRAMES }) @IsOptional() @IsIn(TIMEFRAMES) timeframe?: string;
  @ApiPropertyOptional({ enum: BUDGETS }) @IsOptional() @IsIn(BUDGETS) budget?: string;
  @ApiPropertyOptional({ enum: DECISION_MAKERS })
  @IsOptional()
  @IsIn(DECISION_MAKERS)
  decisionMaker?: string;
  @ApiPropertyOptional() @IsOptional() @IsInt() @Min(0) @Max(10_000_000) employees?: number;
  @ApiPropertyOptional() @IsOptional() @IsBoolean() expectingCall?: boolean;
  @ApiPropertyOptional({ enum: NEXT_STEPS }) @IsOptional() @IsIn(NEXT_STEPS) nextStep?: string;
  @ApiProperty({ type: ReferralContactDto })
  @ValidateNested()
  @Type(() => ReferralContactDto)
  contact!: ReferralContactDto;
}

export class OutcomeDto {
  @ApiProperty({ enum: DISPOSITIONS })
  @IsIn(DISPOSITIONS)
  disposition!: Disposition;

  @ApiPropertyOptional({ maxLength: 5000 })
  @IsOptional()
  @IsString()
  @MaxLength(5000)
  notes?: string;

  @ApiPropertyOptional({
    description: 'required for recall: an ISO 8601 time in the future (with its offset)',
  })
  @ValidateIf((o: OutcomeDto) => o.disposition === 'recall' || o.recallAt !== undefined)
  @IsISO8601({ strict: true })
  // Without an offset the time would be read in the server's zone: refused, not guessed.
  @Matches(/T.*(Z|[+-]\d{2}(:?\d{2})?)$/i, {
    message: 'recallAt must be a date and time with its offset (Z or ±hh:mm)',
  })
  recallAt?: string;

  @ApiPropertyOptional({
    type: ReferralDto,
    description: 'required for referral, refused otherwise',
  })
  @ValidateIf((o: OutcomeDto) => o.disposition === 'referral' || o.referral !== undefined)
  @IsDefined({ message: 'referral is required with disposition referral' })
  @ValidateNested()
  @Type(() => ReferralDto)
  referral?: ReferralDto;
}
