import { MigrationInterface, QueryRunner } from 'typeorm';

export class Reports1795474462525 implements MigrationInterface {
  name = 'Reports1795474462525';

  public async up(queryRunner: QueryRunner): Promise<void> {
    await queryRunner.query(`
            CREATE TABLE "report_daily" (
                "day" date NOT NULL,
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
                "first_at" TIMESTAMP WITH TIME ZONE,
                "last_at" TIMESTAMP WITH TIME ZONE,
                CONSTRAINT "PK_92b6e98113fea8c2713a66c1cd0" PRIMARY KEY (
                    "day",
                    "client_id",
                    "campaign_id",
                    "caller_id",
                    "pitch_key",
                    "offer_key"
                )
            )
        `);
    await queryRunner.query(`
            CREATE INDEX "report_daily_caller_day_idx" ON "report_daily" ("caller_id", "day")
        `);
    await queryRunner.query(`
            CREATE INDEX "report_daily_campaign_day_idx" ON "report_daily" ("campaign_id", "day")
        `);
    await queryRunner.query(`
            CREATE INDEX "report_daily_client_day_idx" ON "report_daily" ("client_id", "day")
        `);
    await queryRunner.query(`
            CREATE TABLE "report_followup" (
                "client_id" uuid NOT NULL,
                "campaign_id" uuid NOT NULL,
                "rep_id" uuid NOT NULL,
                "bucket" smallint NOT NULL,
                "reached" integer NOT NULL DEFAULT '0',
                "final" integer NOT NULL DEFAULT '0',
                "won" integer NOT NULL DEFAULT '0',
                CONSTRAINT "PK_a339238a46cf27ef50d5398f2bb" PRIMARY KEY ("client_id", "campaign_id", "rep_id", "bucket")
            )
        `);
    await queryRunner.query(`
            CREATE INDEX "report_followup_client_idx" ON "report_followup" ("client_id")
        `);
  }

  public async down(queryRunner: QueryRunner): Promise<void> {
    await queryRunner.query(`
            DROP INDEX "public"."report_followup_client_idx"
        `);
    await queryRunner.query(`
            DROP TABLE "report_followup"
        `);
    await queryRunner.query(`
            DROP INDEX "public"."report_daily_client_day_idx"
        `);
    await queryRunner.query(`
            DROP INDEX "public"."report_daily_campaign_day_idx"
        `);
    await queryRunner.query(`
            DROP INDEX "public"."report_daily_caller_day_idx"
        `);
    await queryRunner.query(`
            DROP TABLE "report_daily"
        `);
  }
}
