import { ApiProperty } from '@nestjs/swagger';
import { IsUUID } from 'class-validator';

export class IdParam {
  @ApiProperty({ format: 'uuid' })
  @IsUUID()
  id!: string;
}
