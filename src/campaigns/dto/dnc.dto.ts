import { ApiProperty, ApiPropertyOptional } from '@nestjs/swagger';
import { Transform } from 'class-transformer';
import {
  IsBoolean,
  IsISO8601,
  IsOptional,
  IsString,
  IsUUID,
  MaxLength,
  MinLength,
} from 'class-validator';

export class AddDncDto {
  @ApiProperty({ example: '(212) 736-5000', description: 'any common format; stored as E.164' })
  @IsString()
  @MinLength(3)
  @MaxLength(40)
  phone!: string;

  @ApiPropertyOptional({ format: 'uuid', description: "absent = the agency's global list" })
  @IsOptional()
  @IsUUID()
  clientId?: string;
}

/** Query of POST /dnc/imports (the body is the file). */
export class DncImportQuery {
  @ApiPropertyOptional({ format: 'uuid', description: "absent = the agency's global list" })
  @IsOptional()
  @IsUUID()
  clientId?: string;

  @ApiPropertyOptional({
    description: 'true = a national registry extract (binds consumer campaigns only)',
  })
  @IsOptional()
  @Transform(({ value }) => (value === 'true' ? true : value === 'false' ? false : value))
  @IsBoolean()
  registry?: boolean;

  @ApiPropertyOptional({
    example: '2026-11-20',
    description: 'date the registry extract was obtained (required for registry)',
  })
  @IsOptional()
  @IsISO8601({ strict: true })
  obtainedAt?: string;
}

export class DncPhoneParam {
  @ApiProperty({ example: '+12127365000' })
  @IsString()
  @MinLength(3)
  @MaxLength(40)
  phone!: string;
}
