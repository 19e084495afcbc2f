import { Body, Controller, Get, HttpCode, Param, Patch, Post, Query, Res } from '@nestjs/common';
import { ApiBearerAuth, ApiOperation, ApiProduces, ApiTags } from '@nestjs/swagger';
import type { FastifyReply } from 'fastify';
import { Allow, CurrentPrincipal } from '../auth/access.decorators';
import type { Principal } from '../auth/roles';
import { IdParam } from '../common/id-param.dto';
import { AppError } from '../common/app-error';
import { StreamLimiter } from '../common/streams';
import {
  EditReferralDto,
  FeedbackDto,
  FeedQuery,
  ListReferralsQuery,
  ReturnReferralDto,
} from './dto';
import { FeedService } from './feed.service';
import { ReferralsService, type ReferralView } from './referrals.service';

@ApiTags('referrals')
@ApiBearerAuth()
@Controller('referrals')
export class ReferralsController {
  constructor(
    private readonly referrals: ReferralsService,
    private readonly feed: FeedService,
    private readonly streams: StreamLimiter,
  ) {}

  @Get()
  @Allow('admin', 'account_manager', 'caller', 'client')
  @ApiOperation({
    summary:
      'Referrals: the review queue (`status=needs_review`), a caller’s own, a client’s published',
  })
  list(@CurrentPrincipal() p: Principal, @Query() q: ListReferralsQuery): Promise<ReferralView[]> {
    return this.referrals.list(p, q);
  }

  @Get('export')
  @Allow('client')
  @ApiProduces('text/csv')
  @ApiOperation({
    summary: "A day's published referrals as CSV, for client users (the portal's download)",
  })
  async export(
    @CurrentPrincipal() p: Principal,
    @Query() q: FeedQuery,
    @Res() reply: FastifyReply,
  ): Promise<void> {
    if (p.kind !== 'user' || !p.clientId) throw new AppError('forbidden', 'Client users only');
    const clientId = p.clientId;
    const holder = { clientId, holderId: `user:${p.userId}` };
    const feed = await this.streams.open(reply, holder, () => this.feed.open(clientId, q, 'csv'));
    void reply
      .status(200)
      .header('content-type', feed.contentType)
      .header('content-disposition', `attachment; filename="referrals-${q.date ?? 'all'}.csv"`);
    if (feed.nextCursor) void reply.header('x-next-cursor', feed.nextCursor);
    return this.streams.send(reply, feed.stream);
  }

  @Get(':id')
  @Allow('admin', 'account_manager', 'caller', 'client')
  @ApiOperation({ summary: 'One referral with its history (who, when, what, why)' })
  get(@CurrentPrincipal() p: Principal, @Param() { id }: IdParam) {
    return this.referrals.get(p, id);
  }

  @Patch(':id')
  @Allow('admin', 'account_manager', 'caller')
  @ApiOperation({
    summary: 'Correct a referral',
    description:
      'Account managers while it waits for review; the caller on a referral returned to them (it then goes back to review).',
  })
  edit(
    @CurrentPrincipal() p: Principal,
    @Param() { id }: IdParam,
    @Body() dto: EditReferralDto,
  ): Promise<ReferralView> {
    return this.referrals.edit(p, id, dto);
  }

  @Post(':id/resubmit')
  @HttpCode(200)
  @Allow('caller')
  @ApiOperation({
    summary: 'Send a referral returned to you back to review, with your corrections',
    description:
      'The body is the corrected fields (any of the outcome’s referral; the contact merged field by field). ' +
      'Scored again; back in the review queue (`status: needs_review`, `reviewReason: resubmitted`). ' +
      '409 when it is not returned to you (any more); 404 for another caller’s referral.',
  })
  resubmit(
    @CurrentPrincipal() p: Principal,
    @Param() { id }: IdParam,
    @Body() dto: EditReferralDto,
  ): Promise<ReferralView> {
    return this.referrals.resubmit(p, id, dto);
  }

  @Post(':id/approve')
  @HttpCode(200)
  @Allow('admin', 'account_manager')
  @ApiOperation({
    summary:
      'Complete (optional corrections in the body) and publish; 409 naming what is still missing',
  })
  approve(
    @CurrentPrincipal() p: Principal,
    @Param() { id }: IdParam,
    @Body() dto: EditReferralDto,
  ): Promise<ReferralView> {
    return this.referrals.approve(p, id, dto);
  }

  @Post(':id/return')
  @HttpCode(200)
  @Allow('admin', 'account_manager')
  @ApiOperation({ summary: 'Send back to the caller with what to fix or find out' })
  giveBack(
    @CurrentPrincipal() p: Principal,
    @Param() { id }: IdParam,
    @Body() dto: ReturnReferralDto,
  ): Promise<ReferralView> {
    return this.referrals.returnToCaller(p, id, dto.reason);
  }

  @Post(':id/feedback')
  @HttpCode(200)
  @Allow('client')
  @ApiOperation({ summary: 'What became of a published referral (client users; systems use /v1)' })
  feedback(
    @CurrentPrincipal() p: Principal,
    @Param() { id }: IdParam,
    @Body() dto: FeedbackDto,
  ): Promise<ReferralView> {
    return this.referrals.feedback(p, id, dto);
  }
}
