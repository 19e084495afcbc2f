import { ApiProperty, ApiPropertyOptional } from '@nestjs/swagger';
import { IsOptional, IsString, MaxLength, MinLength } from 'class-validator';
import { IsTimeZone } from '../../common/is-time-zone';

export class CreateClientDto {
  @ApiProperty({ example: 'Northwind Solar', maxLength: 200 })
  @IsString()
  @MinLength(1)
  @MaxLength(200)
  name!: string;

  @ApiPropertyOptional({ example: 'America/Chicago', default: 'America/New_York' })
  @IsOptional()
  @IsTimeZone()
  timezone?: string;
}

export class UpdateClientDto {
  @ApiPropertyOptional({ maxLength: 200 })
  @IsOptional()
  @IsString()
  @MinLength(1)
  @MaxLength(200)
  name?: string;

  @ApiPropertyOptional({ example: 'America/Chicago' })
  @IsOptional()
  @IsTimeZone()
  timezone?: string;
}
