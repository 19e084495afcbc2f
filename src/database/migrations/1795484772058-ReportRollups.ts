import { MigrationInterface, QueryRunner } from 'typeorm';

export class ReportRollups1795484772058 implements MigrationInterface {
  name = 'ReportRollups1795484772058';

  public async up(queryRunner: QueryRunner): Promise<void> {
    await queryRunner.query(`
            CREATE TABLE "report_monthly" (
                "client_id" uuid NOT NULL,
                "campaign_id" uuid NOT NULL,
                "caller_id" uuid NOT NULL,
                "pitch_key" character varying(60) NOT NULL,
                "offer_key" character varying(60) NOT NULL,
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
                "month" date NOT NULL,
                CONSTRAINT "PK_331142421d58382981da01ef65e" PRIMARY KEY (
                    "client_id",
                    "campaign_id",
                    "caller_id",
                    "pitch_key",
                    "offer_key",
                    "month"
                )
            )
        `);
    await queryRunner.query(`
            CREATE INDEX "report_monthly_caller_month_idx" ON "report_monthly" ("caller_id", "month")
        `);
    await queryRunner.query(`
            CREATE INDEX "report_monthly_campaign_month_idx" ON "report_monthly" ("campaign_id", "month")
        `);
    await queryRunner.query(`
            CREATE INDEX "report_monthly_client_month_idx" ON "report_monthly" ("client_id", "month")
        `);
    await queryRunner.query(`
            CREATE TABLE "report_caller_day" (
                "client_id" uuid NOT NULL,
                "day" date NOT NULL,
                "caller_id" uuid NOT NULL,
                "dials" integer NOT NULL DEFAULT '0',
                "first_at" TIMESTAMP WITH TIME ZONE NOT NULL,
                "last_at" TIMESTAMP WITH TIME ZONE NOT NULL,
                "seconds" double precision NOT NULL,
                CONSTRAINT "PK_dedbc677670797915c79267bb9d" PRIMARY KEY ("client_id", "day", "caller_id")
            )
        `);
    await queryRunner.query(`
            CREATE INDEX "report_caller_day_caller_idx" ON "report_caller_day" (
                "caller_id",
                "day",
                "client_id",
                "dials",
                "first_at",
                "last_at"
            )
        `);
    await queryRunner.query(`
            CREATE INDEX "report_caller_day_client_idx" ON "report_caller_day" ("client_id", "day", "caller_id", "seconds")
        `);
    // Hand-added: both filled from report_daily, which already counts everything so far.
    await queryRunner.query(`
            INSERT INTO "report_monthly" ("month", "client_id", "campaign_id", "caller_id", "pitch_key", "offer_key",
                "dials", "connects", "dialed_here", "referrals", "very_interested", "needs_work", "published",
                "contacted", "won", "lost", "won_very_interested", "won_needs_work", "final_very_interested",
                "final_needs_work", "sale_value", "talk_seconds", "hit_cap", "extended")
            SELECT date_trunc('month', "day")::date, "client_id", "campaign_id", "caller_id", "pitch_key", "offer_key",
                sum("dials"), sum("connects"), sum("dialed_here"), sum("referrals"), sum("very_interested"),
                sum("needs_work"), sum("published"), sum("contacted"), sum("won"), sum("lost"),
                sum("won_very_interested"), sum("won_needs_work"), sum("final_very_interested"),
                sum("final_needs_work"), sum("sale_value"), sum("talk_seconds"), sum("hit_cap"), sum("extended")
              FROM "report_daily" GROUP BY 1, 2, 3, 4, 5, 6
        `);
    await queryRunner.query(`
            INSERT INTO "report_caller_day" ("client_id", "day", "caller_id", "dials", "first_at", "last_at", "seconds")
            SELECT *, (CASE WHEN "dials" > 1 THEN date_part('epoch', "last_at" - "first_at") * "dials" / ("dials" - 1) ELSE 200 END)::float8
              FROM (SELECT "client_id", "day", "caller_id", sum("dials") AS "dials", min("first_at") AS "first_at",
                           max("last_at") AS "last_at"
                      FROM "report_daily" GROUP BY "client_id", "day", "caller_id"
                    HAVING min("first_at") IS NOT NULL) d
        `);
  }

  public async down(queryRunner: QueryRunner): Promise<void> {
    await queryRunner.query(`
            DROP INDEX "public"."report_caller_day_client_idx"
        `);
    await queryRunner.query(`
            DROP INDEX "public"."report_caller_day_caller_idx"
        `);
    await queryRunner.query(`
            DROP TABLE "report_caller_day"
        `);
    await queryRunner.query(`
            DROP INDEX "public"."report_monthly_client_month_idx"
        `);
    await queryRunner.query(`
            DROP INDEX "public"."report_monthly_campaign_month_idx"
        `);
    await queryRunner.query(`
            DROP INDEX "public"."report_monthly_caller_month_idx"
        `);
    await queryRunner.query(`
            DROP TABLE "report_monthly"
        `);
  }
}
