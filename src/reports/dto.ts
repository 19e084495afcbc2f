import { ApiPropertyOptional } from '@nestjs/swagger';
import { Type } from 'class-transformer';
import { IsIn, IsInt, IsOptional, Matches, Max, Min } from 'class-validator';
import { IsCalendarDay } from '../common/calendar-day';
import { IsTimeZone } from '../common/is-time-zone';

export const GROUP_BYS = ['day', 'week', 'pitch', 'offer', 'caller', 'campaign'] as const;
export type GroupBy = (typeof GROUP_BYS)[number];

export class ReportQuery {
  @ApiPropertyOptional({ description: 'first day (YYYY-MM-DD, the client’s calendar), inclusive' })
  @IsOptional()
  @Matches(/^\d{4}-\d{2}-\d{2}$/, { message: 'from must be YYYY-MM-DD' })
  @IsCalendarDay()
  from?: string;

  @ApiPropertyOptional({ description: 'last day (YYYY-MM-DD), inclusive' })
  @IsOptional()
  @Matches(/^\d{4}-\d{2}-\d{2}$/, { message: 'to must be YYYY-MM-DD' })
  @IsCalendarDay()
  to?: string;

  @ApiPropertyOptional({ enum: GROUP_BYS })
  @IsOptional()
  @IsIn(GROUP_BYS)
  groupBy?: GroupBy;

  @ApiPropertyOptional({
    description:
      'the rates each group carries: names separated by commas (successRate, closeRate, …) or `all`; default all for pitch, offer, caller and campaign groups, successRate and closeRate for day and week groups (the report’s own `rates` are always all)',
    example: 'successRate,closeRate',
  })
  @IsOptional()
  @Matches(/^[A-Za-z]+(,[A-Za-z]+)*$/, { message: 'rates must be names separated by commas' })
  rates?: string;

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

export class CallerReportQuery extends ReportQuery {
  @ApiPropertyOptional({
    description:
      'the zone of the caller’s days for `time` (talk, dial, wait, wrap-up and pause seconds per day); default America/New_York',
    example: 'America/Chicago',
  })
  @IsOptional()
  @IsTimeZone()
  timezone?: string;
}
