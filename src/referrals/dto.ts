import { ApiProperty, ApiPropertyOptional, OmitType, PartialType } from '@nestjs/swagger';
import { Type } from 'class-transformer';
import {
  IsIn,
  IsInt,
  IsISO8601,
  IsNumber,
  IsOptional,
  IsString,
  IsUUID,
  Matches,
  Max,
  MaxLength,
  Min,
  MinLength,
  ValidateNested,
} from 'class-validator';
import { ReferralContactDto, ReferralDto } from '../calls/dto/outcome.dto';
import { IsCalendarDay } from '../common/calendar-day';
import { FEEDBACK_STATUSES, REFERRAL_STATUSES } from './referral.entity';

export class ListReferralsQuery {
  @ApiPropertyOptional({ enum: REFERRAL_STATUSES })
  @IsOptional()
  @IsIn(REFERRAL_STATUSES)
  status?: (typeof REFERRAL_STATUSES)[number];

  @ApiPropertyOptional() @IsOptional() @IsUUID() clientId?: string;
  @ApiPropertyOptional() @IsOptional() @IsUUID() campaignId?: string;

  @ApiPropertyOptional({
    description:
      "published on this day (YYYY-MM-DD, the client's calendar), hot first then by score",
  })
  @IsOptional()
  @Matches(/^\d{4}-\d{2}-\d{2}$/, { message: 'day must be YYYY-MM-DD' })
  @IsCalendarDay()
  day?: string;

  @ApiPropertyOptional({ default: 100, maximum: 500 })
  @IsOptional()
  @Type(() => Number)
  @IsInt()
  @Min(1)
  @Max(500)
  limit?: number;

  @ApiPropertyOptional({ default: 0 })
  @IsOptional()
  @Type(() => Number)
  @IsInt()
  @Min(0)
  offset?: number;
}

class ContactEditDto extends PartialType(ReferralContactDto) {}

/** Corrections by an account manager (or the caller, on a returned referral): any field of the outcome's referral. */
export class EditReferralDto extends PartialType(OmitType(ReferralDto, ['contact'] as const)) {
  @ApiPropertyOptional({ type: ContactEditDto })
  @IsOptional()
  @ValidateNested()
  @Type(() => ContactEditDto)
  contact?: ContactEditDto;
}

export class ReturnReferralDto {
  @ApiProperty({ description: 'what the caller must find out or fix', maxLength: 2000 })
  @IsString()
  @MinLength(3)
  @MaxLength(2000)
  reason!: string;
}

export class FeedbackDto {
  @ApiProperty({ enum: FEEDBACK_STATUSES })
  @IsIn(FEEDBACK_STATUSES)
  status!: (typeof FEEDBACK_STATUSES)[number];

  @ApiPropertyOptional({ description: 'with won: the sale value', minimum: 0 })
  @IsOptional()
  @IsNumber({ maxDecimalPlaces: 2 })
  @Min(0)
  @Max(1e11)
  saleValue?: number;

  @ApiPropertyOptional({ description: 'with lost: why', maxLength: 2000 })
  @IsOptional()
  @IsString()
  @MaxLength(2000)
  reason?: string;

  @ApiPropertyOptional({ maxLength: 5000 })
  @IsOptional()
  @IsString()
  @MaxLength(5000)
  note?: string;

  @ApiPropertyOptional({ description: 'when it happened (ISO 8601); default now' })
  @IsOptional()
  @IsISO8601({ strict: true })
  at?: string;
}

export class FeedQuery {
  @ApiPropertyOptional({ description: "a day (YYYY-MM-DD) in the client's time zone" })
  @IsOptional()
  @Matches(/^\d{4}-\d{2}-\d{2}$/, { message: 'date must be YYYY-MM-DD' })
  @IsCalendarDay()
  date?: string;

  @ApiPropertyOptional({ description: 'the nextCursor of an earlier answer; omit to start' })
  @IsOptional()
  @IsString()
  @MaxLength(100)
  since?: string;

  @ApiPropertyOptional({ default: 100, maximum: 10000 })
  @IsOptional()
  @Type(() => Number)
  @IsInt()
  @Min(1)
  @Max(10000)
  limit?: number;
}
