import { ApiPropertyOptional } from '@nestjs/swagger';
import { Type } from 'class-transformer';
import { IsIn, IsInt, IsOptional, Matches, Max, Min } from 'class-validator';

export const GROUP_BYS = ['day', 'week', 'pitch', 'offer', 'caller', 'campaign'] as const;
export type GroupBy = (typeof GROUP_BYS)[number];

export class ReportQuery {
  @ApiPropertyOptional({ description: 'first day (YYYY-MM-DD, the client’s calendar), inclusive' })
  @IsOptional()
  @Matches(/^\d{4}-\d{2}-\d{2}$/, { message: 'from must be YYYY-MM-DD' })
  from?: string;

  @ApiPropertyOptional({ description: 'last day (YYYY-MM-DD), inclusive' })
  @IsOptional()
  @Matches(/^\d{4}-\d{2}-\d{2}$/, { message: 'to must be YYYY-MM-DD' })
  to?: string;

  @ApiPropertyOptional({ enum: GROUP_BYS })
  @IsOptional()
  @IsIn(GROUP_BYS)
  groupBy?: GroupBy;

  @ApiPropertyOptional({
    description:
      'campaign reports: also answer the caller-hours needed to reach this many referrals',
  })
  @IsOptional()
  @Type(() => Number)
  @IsInt()
  @Min(1)
  @Max(1_000_000)
  target?: number;
}
