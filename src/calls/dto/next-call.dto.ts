import { ApiPropertyOptional } from '@nestjs/swagger';
import { IsOptional, IsUUID, Matches } from 'class-validator';

export class NextCallDto {
  @ApiPropertyOptional({
    format: 'uuid',
    description: 'absent = any active campaign the caller works',
  })
  @IsOptional()
  @IsUUID()
  campaignId?: string;

  @ApiPropertyOptional({
    example: '1234',
    description:
      "take this contact: one's own recall that is due (409 `no_contact_now` otherwise, `call_live` while on a call)",
  })
  @IsOptional()
  @Matches(/^[1-9]\d{0,17}$/, { message: 'contactId must be a contact id' })
  contactId?: string;
}

export class CallIdParam {
  @IsUUID()
  callId!: string;
}
