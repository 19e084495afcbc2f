import { MigrationInterface, QueryRunner } from 'typeorm';

/**
 * Campaign roll-ups: report_campaign_day (a campaign's figures per day, for its reports by day or
 * week) and report_campaign_caller_day (its callers' working days, for its caller-hours), filled
 * from report_daily.
 */
export class CampaignRollups1795494960352 implements MigrationInterface {
  name = 'CampaignRollups1795494960352';

  public async up(queryRunner: QueryRunner): Promise<void> {
    await queryRunner.query(`
            CREATE TABLE "report_campaign_day" (
                "dials" integer NOT NULL DEFAULT '0',
                "connects" integer NOT NULL DEFAULT '0',
                "dialed_here" integer NOT NULL DEFAULT '0',
                "referrals" integer NOT NULL DEFAULT '0',
                "very_interested" integer NOT NULL DEFAULT '0',
                "needs_work" integer NOT NULL DEFAULT '0',
                "published" integer NOT NULL DEFAULT '0',
                "contacted" integer NOT NULL DEFAULT '0',
                "won" integer NOT NULL DEFAULT '0',
                "lost" integer NOT NULL DEFAULT '0',
                "won_very_interested" integer NOT NULL DEFAULT '0',
                "won_needs_work" integer NOT NULL DEFAULT '0',
                "final_very_interested" integer NOT NULL DEFAULT '0',
                "final_needs_work" integer NOT NULL DEFAULT '0',
                "sale_value" numeric(16, 2) NOT NULL DEFAULT '0',
                "talk_seconds" bigint NOT NULL DEFAULT '0',
                "hit_cap" integer NOT NULL DEFAULT '0',
                "extended" integer NOT NULL DEFAULT '0',
                "campaign_id" uuid NOT NULL,
                "day" date NOT NULL,
                "client_id" uuid NOT NULL,
                CONSTRAINT "PK_73075134d4246841b33bbcc4127" PRIMARY KEY ("campaign_id", "day")
            )
        `);
    await queryRunner.query(`
            CREATE TABLE "report_campaign_caller_day" (
                "campaign_id" uuid NOT NULL,
                "day" date NOT NULL,
                "caller_id" uuid NOT NULL,
                "dials" integer NOT NULL DEFAULT '0',
                "first_at" TIMESTAMP WITH TIME ZONE NOT NULL,
                "last_at" TIMESTAMP WITH TIME ZONE NOT NULL,
                "seconds" double precision NOT NULL,
                CONSTRAINT "PK_633307d9c4619b7fe5fbe8e44b5" PRIMARY KEY ("campaign_id", "day", "caller_id")
            )
        `);
    await queryRunner.query(`
            CREATE INDEX "report_campaign_caller_day_hours_idx" ON "report_campaign_caller_day" ("campaign_id", "day", "caller_id", "seconds")
        `);
    // Both from report_daily, as the rebuild makes them (RollupsService.rebuild).
    await queryRunner.query(`
            INSERT INTO "report_campaign_day" (campaign_id, day, client_id, dials, connects, dialed_here, referrals, very_interested, needs_work, published, contacted, won, lost, won_very_interested, won_needs_work, final_very_interested, final_needs_work, sale_value, talk_seconds, hit_cap, extended)
            SELECT campaign_id, day, client_id, sum(dials), sum(connects), sum(dialed_here), sum(referrals), sum(very_interested), sum(needs_work), sum(published), sum(contacted), sum(won), sum(lost), sum(won_very_interested), sum(won_needs_work), sum(final_very_interested), sum(final_needs_work), sum(sale_value), sum(talk_seconds), sum(hit_cap), sum(extended)
              FROM "report_daily" GROUP BY campaign_id, day, client_id
        `);
    await queryRunner.query(`
            INSERT INTO "report_campaign_caller_day" (campaign_id, day, caller_id, dials, first_at, last_at, seconds)
            SELECT *, (CASE WHEN dials > 1 THEN date_part('epoch', last_at - first_at) * dials / (dials - 1) ELSE 200 END)::float8
              FROM (SELECT campaign_id, day, caller_id, sum(dials) AS dials, min(first_at) AS first_at, max(last_at) AS last_at
                      FROM "report_daily" GROUP BY campaign_id, day, caller_id HAVING sum(dials) > 0) d
        `);
  }

  public async down(queryRunner: QueryRunner): Promise<void> {
    await queryRunner.query(`
            DROP INDEX "public"."report_campaign_caller_day_hours_idx"
        `);
    await queryRunner.query(`
            DROP TABLE "report_campaign_caller_day"
        `);
    await queryRunner.query(`
            DROP TABLE "report_campaign_day"
        `);
  }
}
