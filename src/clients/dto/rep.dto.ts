import { ApiProperty, ApiPropertyOptional, PartialType } from '@nestjs/swagger';
import { Transform } from 'class-transformer';
import {
  ArrayMaxSize,
  IsArray,
  IsBoolean,
  IsEmail,
  IsOptional,
  IsString,
  Matches,
  MaxLength,
  MinLength,
} from 'class-validator';

const upper = ({ value }: { value: unknown }) =>
  Array.isArray(value)
    ? value.map((v) => (typeof v === 'string' ? v.trim().toUpperCase() : v))
    : value;
const trimmed = ({ value }: { value: unknown }) =>
  Array.isArray(value) ? value.map((v) => (typeof v === 'string' ? v.trim() : v)) : value;

export class CreateRepDto {
  @ApiProperty({ example: 'Maria Lopez', maxLength: 200 })
  @IsString()
  @MinLength(1)
  @MaxLength(200)
  name!: string;

  @ApiProperty({ example: 'maria@northwind.example' })
  @IsEmail()
  @MaxLength(254)
  email!: string;

  @ApiPropertyOptional({ type: [String], example: ['commercial solar', 'battery storage'] })
  @IsOptional()
  @Transform(trimmed)
  @IsArray()
  @ArrayMaxSize(50)
  @IsString({ each: true })
  @MinLength(1, { each: true })
  @MaxLength(100, { each: true })
  specialties?: string[];

  @ApiPropertyOptional({
    type: [String],
    example: ['TX', 'OK', '750'],
    description: 'State codes or ZIP prefixes',
  })
  @IsOptional()
  @Transform(upper)
  @IsArray()
  @ArrayMaxSize(500)
  @Matches(/^([A-Z]{2}|\d{1,5})$/, {
    each: true,
    message: 'each territory must be a state code (TX) or a ZIP prefix (750)',
  })
  territories?: string[];

  @ApiPropertyOptional({ default: true })
  @IsOptional()
  @IsBoolean()
  available?: boolean;

  @ApiPropertyOptional({
    default: false,
    description: 'receives the referrals no rep matches (one per client: setting it moves it here)',
  })
  @IsOptional()
  @IsBoolean()
  isDefault?: boolean;
}

/** Any of the fields of a rep, each validated as when creating one. */
export class UpdateRepDto extends PartialType(CreateRepDto) {}
