import { ApiPropertyOptional } from '@nestjs/swagger';
import { IsOptional, IsUUID } from 'class-validator';

export class NextCallDto {
  @ApiPropertyOptional({
    format: 'uuid',
    description: 'absent = any active campaign the caller works',
  })
  @IsOptional()
  @IsUUID()
  campaignId?: string;
}

export class CallIdParam {
  @IsUUID()
  callId!: string;
}
