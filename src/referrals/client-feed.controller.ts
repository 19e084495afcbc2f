import { Body, Controller, Get, Headers, HttpCode, Param, Post, Query, Res } from '@nestjs/common';
import { ApiBearerAuth, ApiOperation, ApiProduces, ApiTags } from '@nestjs/swagger';
import type { FastifyReply } from 'fastify';
import { Allow, CurrentPrincipal } from '../auth/access.decorators';
import type { Principal } from '../auth/roles';
import { AppError } from '../common/app-error';
import { IdParam } from '../common/id-param.dto';
import { StreamLimiter } from '../common/streams';
import { FeedbackDto, FeedQuery } from './dto';
import { type FeedFormat, FeedService } from './feed.service';
import { ReferralsService } from './referrals.service';

/** The client API's referral feed and feedback (API keys). */
@ApiTags('client API')
@ApiBearerAuth()
@Controller('v1/referrals')
@Allow('api_key')
export class ClientFeedController {
  constructor(
    private readonly feed: FeedService,
    private readonly referrals: ReferralsService,
    private readonly streams: StreamLimiter,
  ) {}

  @Get()
  @ApiProduces('application/json', 'text/csv', 'application/x-ndjson')
  @ApiOperation({
    summary:
      "Published referrals: a day's (`date`, hot first) or everything after a cursor (`since`, `limit`)",
    description:
      'JSON `{data, nextCursor}` by default; `Accept: text/csv` or `application/x-ndjson` streams CSV or NDJSON with the next cursor in `X-Next-Cursor`. Poll with the last nextCursor: no gaps, no repeats.',
  })
  async list(
    @CurrentPrincipal() p: Principal,
    @Query() q: FeedQuery,
    @Headers('accept') accept: string | undefined,
    @Res() reply: FastifyReply,
  ): Promise<void> {
    if (p.kind !== 'api_key') throw new AppError('forbidden', 'API keys only');
    const holder = { clientId: p.clientId, holderId: `key:${p.keyId}` };
    const feed = await this.streams.open(reply, holder, () =>
      this.feed.open(p.clientId, q, formatOf(accept)),
    );
    void reply
      .status(200)
      .header('content-type', feed.contentType)
      .header('cache-control', 'no-store');
    if (feed.nextCursor) void reply.header('x-next-cursor', feed.nextCursor);
    return this.streams.send(reply, feed.stream);
  }

  @Post(':id/feedback')
  @HttpCode(200)
  @ApiOperation({
    summary:
      'What became of a referral: contacted, meeting, won (saleValue), lost (reason), unreachable',
  })
  async feedback(
    @CurrentPrincipal() p: Principal,
    @Param() { id }: IdParam,
    @Body() dto: FeedbackDto,
  ) {
    const r = await this.referrals.feedback(p, id, dto);
    return {
      id: r.id,
      feedbackStatus: r.feedbackStatus,
      followUpSeconds: r.followUpSeconds,
      saleValue: r.saleValue,
    };
  }
}

function formatOf(accept: string | undefined): FeedFormat {
  const a = (accept ?? '').toLowerCase();
  if (a.includes('text/csv')) return 'csv';
  if (a.includes('application/x-ndjson') || a.includes('application/ndjson')) return 'ndjson';
  return 'json';
}
