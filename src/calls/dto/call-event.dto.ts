import { ApiProperty } from '@nestjs/swagger';
import { IsIn } from 'class-validator';
import { CALL_EVENTS, type CallEvent } from '../call-states';

export class CallEventDto {
  @ApiProperty({ enum: CALL_EVENTS, description: 'what the (simulated) phone reports' })
  @IsIn(CALL_EVENTS)
  event!: CallEvent;
}
