import { Controller, Get, Headers, Param, Query, Res } from '@nestjs/common';
import { ApiBearerAuth, ApiOperation, ApiProduces, ApiTags } from '@nestjs/swagger';
import type { FastifyReply } from 'fastify';
import { Allow, CurrentPrincipal } from '../auth/access.decorators';
import type { Principal } from '../auth/roles';
import { IdParam } from '../common/id-param.dto';
import { CallerReportQuery, ReportQuery } from './dto';
import { ReportsService } from './reports.service';

type Report = Awaited<ReturnType<ReportsService['client']>>;

const DESCRIPTION =
  'From the roll-ups: `totals`, `rates` (each `{value, n, lower80, upper80, lower95, upper95}`), `groups` (with `groupBy`; the rates of each group as `rates` asks, by default successRate and closeRate for day and week groups, all for the others), follow-up and rating calibration. `Accept: text/csv` exports the table (one row per group, or the total).';

@ApiTags('reports')
@ApiBearerAuth()
@Controller('reports')
export class ReportsController {
  constructor(private readonly reports: ReportsService) {}

  @Get('clients/:id')
  @Allow('admin', 'account_manager', 'client')
  @ApiProduces('application/json', 'text/csv')
  @ApiOperation({
    summary: "A client's figures (client users: without caller names)",
    description: DESCRIPTION,
  })
  async client(
    @CurrentPrincipal() p: Principal,
    @Param() { id }: IdParam,
    @Query() q: ReportQuery,
    @Headers('accept') accept: string | undefined,
    @Res({ passthrough: true }) reply: FastifyReply,
  ) {
    return answer(await this.reports.client(p, id, csvRates(q, accept)), accept, reply);
  }

  @Get('campaigns/:id')
  @Allow('admin', 'account_manager', 'client')
  @ApiProduces('application/json', 'text/csv')
  @ApiOperation({
    summary: "A campaign's figures and its projection (referrals and sales to come, finish date)",
    description: DESCRIPTION,
  })
  async campaign(
    @CurrentPrincipal() p: Principal,
    @Param() { id }: IdParam,
    @Query() q: ReportQuery,
    @Headers('accept') accept: string | undefined,
    @Res({ passthrough: true }) reply: FastifyReply,
  ) {
    return answer(await this.reports.campaign(p, id, csvRates(q, accept)), accept, reply);
  }

  @Get('callers/:id')
  @Allow('admin', 'account_manager', 'caller')
  @ApiProduces('application/json', 'text/csv')
  @ApiOperation({
    summary: "A caller's figures (callers: their own only), and where their time went",
    description: `${DESCRIPTION} Also \`time\`: \`{timezone, from, to, talkSeconds, dialSeconds, waitSeconds, wrapUpSeconds, pauseSeconds, days: [{day, talkSeconds, dialSeconds, waitSeconds, wrapUpSeconds, pauseSeconds}]}\` from the caller's states (talk: answer to hang-up; dial: before the answer; wrap-up: hang-up to the outcome, at most the window; wait: ready off calls; pause: paused off calls), days in \`timezone\` (default America/New_York), \`from\` default 30 days before \`to\` (default today), at most 366 days; null for an account manager none of whose clients' campaigns the caller works.`,
  })
  async caller(
    @CurrentPrincipal() p: Principal,
    @Param() { id }: IdParam,
    @Query() q: CallerReportQuery,
    @Headers('accept') accept: string | undefined,
    @Res({ passthrough: true }) reply: FastifyReply,
  ) {
    return answer(await this.reports.caller(p, id, csvRates(q, accept)), accept, reply);
  }
}

/** The rates the CSV lists (value and 95% bounds) after the totals. */
const RATE_COLUMNS = ['successRate', 'referralsPerConnect', 'hotShare', 'closeRate'] as const;

const wantsCsv = (accept: string | undefined) => (accept ?? '').toLowerCase().includes('text/csv');

/** The CSV's groups carry at least its rate columns (day and week groups default to fewer). */
function csvRates(q: ReportQuery, accept: string | undefined): ReportQuery {
  if (!wantsCsv(accept) || q.rates === 'all') return q;
  const asked = q.rates ? q.rates.split(',') : [];
  return { ...q, rates: [...new Set([...asked, ...RATE_COLUMNS])].join(',') };
}

function answer(report: Report, accept: string | undefined, reply: FastifyReply): Report | string {
  if (!wantsCsv(accept)) return report;
  void reply.header('content-type', 'text/csv; charset=utf-8');
  return toCsv(report);
}

/** The report's table as CSV: one row per group (or the total), totals then the main rates with their 95% bounds. */
export function toCsv(report: Report): string {
  const rows: { key: string; totals: Record<string, unknown>; rates: Record<string, unknown> }[] =
    report.groups.length > 0
      ? (report.groups as unknown as typeof rows)
      : [{ key: 'total', totals: report.totals, rates: report.rates }];
  const totalKeys = Object.keys(rows[0].totals).filter((k) => !k.startsWith('won') || k === 'won');
  const header = [
    report.groupBy ?? 'group',
    ...totalKeys.filter((k) => !k.startsWith('final')),
    ...RATE_COLUMNS.flatMap((r) => [r, `${r}Lower95`, `${r}Upper95`]),
  ];
  const cell = (v: unknown) => {
    const s = v === null || v === undefined ? '' : String(v);
    const safe = /^[=+\-@\t\r]/.test(s) ? `'${s}` : s;
    return /[",\r\n]/.test(safe) ? `"${safe.replace(/"/g, '""')}"` : safe;
  };
  const lines = [header.map(cell).join(',')];
  for (const r of rows) {
    const rate = (name: string) =>
      (r.rates[name] ?? {}) as { value?: number | null; lower95?: number; upper95?: number };
    lines.push(
      [
        r.key,
        ...totalKeys.filter((k) => !k.startsWith('final')).map((k) => r.totals[k]),
        ...RATE_COLUMNS.flatMap((name) => [
          rate(name).value,
          rate(name).lower95,
          rate(name).upper95,
        ]),
      ]
        .map(cell)
        .join(','),
    );
  }
  return lines.join('\r\n') + '\r\n';
}
