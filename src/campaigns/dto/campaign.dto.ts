import { getCountries } from 'libphonenumber-js';
import { ApiProperty, ApiPropertyOptional } from '@nestjs/swagger';
import { Type } from 'class-transformer';
import { DEFAULT_SCORE_WEIGHTS } from '../../referrals/score';
import {
  ArrayMaxSize,
  IsArray,
  IsBoolean,
  IsIn,
  IsInt,
  IsObject,
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
import {
  CAMPAIGN_KINDS,
  CAMPAIGN_STATUSES,
  type CampaignKind,
  type CampaignStatus,
} from '../campaign.entity';

const HHMM = /^([01]\d|2[0-3]):[0-5]\d$/;

export class VariantDto {
  @ApiProperty({ example: 'Savings first', maxLength: 100 })
  @IsString()
  @MinLength(1)
  @MaxLength(100)
  name!: string;

  @ApiProperty({
    example: 'Most businesses like yours cut their power bill by a third…',
    maxLength: 5000,
  })
  @IsString()
  @MaxLength(5000)
  text!: string;
}

export class CallingWindowDto {
  @ApiProperty({ example: '09:00', description: "HH:MM in the contact's local time" })
  @Matches(HHMM, { message: 'start must be HH:MM' })
  start!: string;

  @ApiProperty({ example: '18:00' })
  @Matches(HHMM, { message: 'end must be HH:MM' })
  end!: string;
}

/** Fields a campaign is made of; all optional when changing one. */
export class CampaignFieldsDto {
  @ApiPropertyOptional({ maxLength: 200 })
  @IsOptional()
  @IsString()
  @MinLength(1)
  @MaxLength(200)
  name?: string;

  @ApiPropertyOptional({ example: 'Commercial rooftop solar', maxLength: 200 })
  @IsOptional()
  @IsString()
  @MaxLength(200)
  product?: string;

  @ApiPropertyOptional({
    description: 'Markdown; must name the client before activation',
    maxLength: 50000,
  })
  @IsOptional()
  @IsString()
  @MaxLength(50000)
  script?: string;

  @ApiPropertyOptional({ type: [VariantDto] })
  @IsOptional()
  @IsArray()
  @ArrayMaxSize(20)
  @ValidateNested({ each: true })
  @Type(() => VariantDto)
  pitches?: VariantDto[];

  @ApiPropertyOptional({ type: [VariantDto] })
  @IsOptional()
  @IsArray()
  @ArrayMaxSize(20)
  @ValidateNested({ each: true })
  @Type(() => VariantDto)
  offers?: VariantDto[];

  @ApiPropertyOptional({ default: 300, minimum: 30, maximum: 600 })
  @IsOptional()
  @IsInt()
  @Min(30)
  @Max(600)
  talkCapSeconds?: number;

  @ApiPropertyOptional({ default: 600, minimum: 30, maximum: 600 })
  @IsOptional()
  @IsInt()
  @Min(30)
  @Max(600)
  extendedCapSeconds?: number;

  @ApiPropertyOptional({
    default: 10,
    minimum: 0,
    maximum: 100,
    description: 'percent of calls that may be extended',
  })
  @IsOptional()
  @IsInt()
  @Min(0)
  @Max(100)
  extendAllowancePct?: number;

  @ApiPropertyOptional({
    default: 0,
    minimum: 0,
    maximum: 100,
    description: 'percent of complete referrals an account manager reviews before publication',
  })
  @IsOptional()
  @IsInt()
  @Min(0)
  @Max(100)
  reviewSamplePct?: number;

  @ApiPropertyOptional({
    description:
      'weights of the referral score (timeframe, budget, decisionMaker, companySize, expectingCall, nextStep, need; 0–100 each); null = the defaults',
    example: DEFAULT_SCORE_WEIGHTS,
    nullable: true,
  })
  @IsOptional()
  @IsObject()
  scoreWeights?: Record<string, number> | null;

  @ApiPropertyOptional({
    default: false,
    description:
      'record calls (both parties); the called party hears a recording notice first. Several US states require every party to consent.',
  })
  @IsOptional()
  @IsBoolean()
  recordCalls?: boolean;

  @ApiPropertyOptional({ type: CallingWindowDto, description: 'may only narrow 08:00–21:00' })
  @IsOptional()
  @ValidateNested()
  @Type(() => CallingWindowDto)
  callingWindow?: CallingWindowDto;

  @ApiPropertyOptional({ default: 3, minimum: 1, maximum: 20 })
  @IsOptional()
  @IsInt()
  @Min(1)
  @Max(20)
  maxAttempts?: number;

  @ApiPropertyOptional({
    default: 5,
    minimum: 0,
    maximum: 60,
    description:
      'seconds the console shows the next contact before dialing it by itself when the caller is ready (0 = at once); contacts that may not be dialed automatically wait for Call',
  })
  @IsOptional()
  @IsInt()
  @Min(0)
  @Max(60)
  previewSeconds?: number;

  @ApiPropertyOptional({ default: 240, minimum: 0, maximum: 43200 })
  @IsOptional()
  @IsInt()
  @Min(0)
  @Max(43200)
  minRetryMinutes?: number;

  @ApiPropertyOptional({
    example: '+12125550100',
    description: 'E.164 number shown to the people called',
  })
  @IsOptional()
  @Matches(/^\+[1-9]\d{6,14}$/, {
    message: 'callerId must be an E.164 number such as +12125550100',
  })
  callerId?: string;

  @ApiPropertyOptional({ enum: CAMPAIGN_KINDS, default: 'b2b' })
  @IsOptional()
  @IsIn(CAMPAIGN_KINDS)
  kind?: CampaignKind;

  @ApiPropertyOptional({ example: 'US', default: 'US' })
  @IsOptional()
  // Only codes libphonenumber can read numbers in: `UK` (for GB) would fail every import after.
  @IsIn(getCountries(), {
    message: 'defaultCountry must be an ISO country code such as US or GB (not UK)',
  })
  defaultCountry?: string;
}

export class CreateCampaignDto extends CampaignFieldsDto {
  @ApiProperty({ format: 'uuid' })
  @IsUUID()
  clientId!: string;

  @ApiProperty({ maxLength: 200 })
  @IsString()
  @MinLength(1)
  @MaxLength(200)
  declare name: string;
}

export class UpdateCampaignDto extends CampaignFieldsDto {
  @ApiPropertyOptional({ enum: CAMPAIGN_STATUSES })
  @IsOptional()
  @IsIn(CAMPAIGN_STATUSES)
  status?: CampaignStatus;
}

export class SetCallersDto {
  @ApiProperty({ type: [String], format: 'uuid' })
  @IsArray()
  @ArrayMaxSize(500)
  @IsUUID('all', { each: true })
  callerIds!: string[];
}

export class ListCampaignsQuery {
  @ApiPropertyOptional({ format: 'uuid' })
  @IsOptional()
  @IsUUID()
  clientId?: string;
}
