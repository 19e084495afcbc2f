import {
  Inject,
  Body,
  Controller,
  Delete,
  Get,
  HttpCode,
  Injectable,
  Param,
  Post,
  Query,
} from '@nestjs/common';
import {
  ApiBearerAuth,
  ApiOperation,
  ApiProperty,
  ApiPropertyOptional,
  ApiTags,
} from '@nestjs/swagger';
import { Type } from 'class-transformer';
import { IsIn, IsInt, IsOptional, IsString, IsUUID, Max, MaxLength, Min } from 'class-validator';
import { DataSource } from 'typeorm';
import { Allow, CurrentPrincipal } from '../auth/access.decorators';
import type { Principal } from '../auth/roles';
import { TenantAccess } from '../clients/tenant-access';
import { AppError } from '../common/app-error';
import { IdParam } from '../common/id-param.dto';
import type { AppConfig } from '../config/app-config';
import { APP_CONFIG } from '../config/config.module';
import { newWebhookSecret } from './signing';
import { webhookUrlProblem } from './url-policy';
import { DELIVERY_STATUSES } from './webhook-delivery.entity';

export class CreateWebhookDto {
  @ApiProperty({ example: 'https://crm.example.com/hooks/referrals', maxLength: 2000 })
  @IsString()
  @MaxLength(2000)
  url!: string;
}

export class WebhookParams extends IdParam {
  @ApiProperty({ format: 'uuid' })
  @IsUUID()
  webhookId!: string;
}

export class DeliveriesQuery {
  @ApiPropertyOptional({ enum: DELIVERY_STATUSES })
  @IsOptional()
  @IsIn(DELIVERY_STATUSES)
  status?: (typeof DELIVERY_STATUSES)[number];

  @ApiPropertyOptional({ default: 100, maximum: 500 })
  @IsOptional()
  @Type(() => Number)
  @IsInt()
  @Min(1)
  @Max(500)
  limit?: number;
}

export interface WebhookView {
  id: string;
  url: string;
  active: boolean;
  disabledReason: string | null;
  createdAt: Date;
}

/** A client's webhook endpoints and the log of what was delivered to them. */
@Injectable()
export class WebhooksService {
  constructor(
    private readonly db: DataSource,
    private readonly tenants: TenantAccess,
    @Inject(APP_CONFIG) private readonly config: AppConfig,
  ) {}

  async create(
    p: Principal,
    clientId: string,
    url: string,
  ): Promise<WebhookView & { secret: string }> {
    await this.tenants.assertClient(p, clientId);
    const problem = await webhookUrlProblem(url.trim(), this.config.webhookAllowPrivateUrls);
    if (problem)
      throw new AppError('invalid', `The URL ${problem}`, [{ field: 'url', message: problem }]);
    const secret = newWebhookSecret();
    const [row]: Record<string, never>[] = await this.db.query(
      `INSERT INTO webhook_endpoints (client_id, url, secret) VALUES ($1, $2, $3)
       RETURNING id, url, active, disabled_reason, created_at`,
      [clientId, url.trim(), secret],
    );
    return { ...viewOf(row), secret };
  }

  async list(p: Principal, clientId: string): Promise<WebhookView[]> {
    await this.tenants.assertClient(p, clientId);
    const rows: Record<string, never>[] = await this.db.query(
      `SELECT id, url, active, disabled_reason, created_at FROM webhook_endpoints WHERE client_id = $1 ORDER BY created_at`,
      [clientId],
    );
    return rows.map(viewOf);
  }

  async remove(p: Principal, clientId: string, id: string): Promise<void> {
    await this.tenants.assertClient(p, clientId);
    const [, count]: [unknown, number] = await this.db.query(
      `UPDATE webhook_endpoints SET active = false, disabled_reason = COALESCE(disabled_reason, 'removed')
        WHERE id = $1 AND client_id = $2`,
      [id, clientId],
    );
    if (count === 0) throw AppError.notFound('Webhook');
  }

  async deliveries(p: Principal, clientId: string, q: DeliveriesQuery): Promise<unknown[]> {
    await this.tenants.assertClient(p, clientId);
    return this.db.query(
      `SELECT d.id, d.endpoint_id AS "endpointId", e.url, d.referral_id AS "referralId", d.event_type AS "eventType",
              d.status, d.attempts, d.last_status_code AS "lastStatusCode", d.last_error AS "lastError",
              d.next_attempt_at AS "nextAttemptAt", d.delivered_at AS "deliveredAt", d.created_at AS "createdAt",
              COALESCE((SELECT json_agg(json_build_object('at', a.at, 'statusCode', a.status_code, 'error', a.error,
                                                          'durationMs', a.duration_ms) ORDER BY a.id)
                          FROM webhook_attempts a WHERE a.delivery_id = d.id), '[]') AS "attemptLog"
         FROM webhook_deliveries d JOIN webhook_endpoints e ON e.id = d.endpoint_id
        WHERE d.client_id = $1 AND ($2::text IS NULL OR d.status = $2)
        ORDER BY d.created_at DESC, d.id LIMIT $3`,
      [clientId, q.status ?? null, q.limit ?? 100],
    );
  }
}

function viewOf(r: Record<string, never>): WebhookView {
  return {
    id: r.id,
    url: r.url,
    active: r.active,
    disabledReason: r.disabled_reason,
    createdAt: r.created_at,
  };
}

@ApiTags('webhooks')
@ApiBearerAuth()
@Controller('clients/:id')
@Allow('admin', 'account_manager', 'client')
export class WebhooksController {
  constructor(private readonly webhooks: WebhooksService) {}

  @Post('webhooks')
  @ApiOperation({
    summary: 'Register a URL that published referrals are pushed to',
    description:
      'The answer carries the signing secret (`whsec_…`) once; no later answer shows it.',
  })
  create(
    @CurrentPrincipal() p: Principal,
    @Param() { id }: IdParam,
    @Body() dto: CreateWebhookDto,
  ) {
    return this.webhooks.create(p, id, dto.url);
  }

  @Get('webhooks')
  @ApiOperation({ summary: "The client's webhook endpoints (no secrets)" })
  list(@CurrentPrincipal() p: Principal, @Param() { id }: IdParam) {
    return this.webhooks.list(p, id);
  }

  @Delete('webhooks/:webhookId')
  @HttpCode(204)
  @ApiOperation({ summary: 'Stop pushing to this endpoint (its delivery log stays)' })
  async remove(
    @CurrentPrincipal() p: Principal,
    @Param() { id, webhookId }: WebhookParams,
  ): Promise<void> {
    await this.webhooks.remove(p, id, webhookId);
  }

  @Get('webhook-deliveries')
  @ApiOperation({
    summary: 'Delivery log: each delivery, its attempts and what the receiver answered',
  })
  deliveries(
    @CurrentPrincipal() p: Principal,
    @Param() { id }: IdParam,
    @Query() q: DeliveriesQuery,
  ) {
    return this.webhooks.deliveries(p, id, q);
  }
}
