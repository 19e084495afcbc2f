import { ApiProperty, ApiPropertyOptional } from '@nestjs/swagger';
import {
  IsEmail,
  IsIn,
  IsOptional,
  IsString,
  IsUUID,
  MaxLength,
  MinLength,
  ValidateIf,
} from 'class-validator';
import { ROLES, type Role } from '../roles';

export class CreateUserDto {
  @ApiProperty({ example: 'dana@agency.example' })
  @IsEmail()
  @MaxLength(254)
  email!: string;

  @ApiProperty({ minLength: 8, maxLength: 200 })
  @IsString()
  @MinLength(8)
  @MaxLength(200)
  password!: string;

  @ApiProperty({ enum: ROLES })
  @IsIn(ROLES)
  role!: Role;

  @ApiPropertyOptional({ maxLength: 200 })
  @IsOptional()
  @IsString()
  @MaxLength(200)
  name?: string;

  @ApiPropertyOptional({
    format: 'uuid',
    description: 'Required for role `client`; refused for staff roles',
  })
  @ValidateIf((o: CreateUserDto) => o.role === 'client' || o.clientId !== undefined)
  @IsUUID()
  clientId?: string;
}
