import { ApiProperty, ApiPropertyOptional } from '@nestjs/swagger';
import { IsIn, IsOptional } from 'class-validator';
import {
  DECLARED_STATES,
  type DeclaredState,
  PAUSE_REASONS,
  type PauseReason,
} from '../caller-state.entity';

export class SetCallerStateDto {
  @ApiProperty({
    enum: DECLARED_STATES,
    description: 'the Ready / Pause switch; sent on every change and every 30 s while open',
  })
  @IsIn(DECLARED_STATES, { message: `state must be one of ${DECLARED_STATES.join(', ')}` })
  state!: DeclaredState;

  @ApiPropertyOptional({
    enum: PAUSE_REASONS,
    description:
      'why (break, lunch, training, meeting, other); optional with paused (none: signed in, not Ready yet), refused with ready',
  })
  @IsOptional()
  @IsIn(PAUSE_REASONS, { message: `reason must be one of ${PAUSE_REASONS.join(', ')}` })
  reason?: PauseReason;
}
