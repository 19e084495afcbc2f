import { MigrationInterface, QueryRunner } from 'typeorm';

export class Referrals1795472846872 implements MigrationInterface {
  name = 'Referrals1795472846872';

  public async up(queryRunner: QueryRunner): Promise<void> {
    // Publication order of referrals (the feed cursor); assigned under a per-client lock.
    await queryRunner.query(`CREATE SEQUENCE "referral_feed_seq"`);
    await queryRunner.query(`
            CREATE TABLE "referral_events" (
                "id" bigint GENERATED ALWAYS AS IDENTITY NOT NULL,
                "referral_id" uuid NOT NULL,
                "at" TIMESTAMP WITH TIME ZONE NOT NULL,
                "actor_kind" character varying(10) NOT NULL,
                "actor_id" uuid,
                "action" character varying(20) NOT NULL,
                "from_status" character varying(20),
                "to_status" character varying(20),
                "reason" text,
                "details" jsonb,
                CONSTRAINT "PK_850a7d8ea24a8e90aba261d0190" PRIMARY KEY ("id")
            )
        `);
    await queryRunner.query(`
            CREATE INDEX "referral_events_referral_id_idx" ON "referral_events" ("referral_id")
        `);
    await queryRunner.query(`
            CREATE TYPE "public"."referral_rating" AS ENUM('very_interested', 'needs_work')
        `);
    await queryRunner.query(`
            CREATE TYPE "public"."referral_status" AS ENUM('needs_review', 'returned', 'published')
        `);
    await queryRunner.query(`
            CREATE TABLE "referrals" (
                "id" uuid NOT NULL DEFAULT gen_random_uuid(),
                "client_id" uuid NOT NULL,
                "campaign_id" uuid NOT NULL,
                "call_id" uuid NOT NULL,
                "contact_id" bigint NOT NULL,
                "caller_id" uuid NOT NULL,
                "rating" "public"."referral_rating" NOT NULL,
                "score" smallint NOT NULL,
                "flagged" boolean NOT NULL DEFAULT false,
                "need" text NOT NULL,
                "timeframe" character varying(20),
                "budget" character varying(20),
                "decision_maker" character varying(20),
                "employees" integer,
                "expecting_call" boolean,
                "next_step" character varying(30),
                "contact" jsonb NOT NULL,
                "state" character varying(2),
                "zip" character varying(10),
                "status" "public"."referral_status" NOT NULL,
                "review_reason" text,
                "problems" jsonb NOT NULL DEFAULT '[]',
                "rep_id" uuid,
                "routing_reason" text,
                "published_at" TIMESTAMP WITH TIME ZONE,
                "feed_seq" bigint,
                "feed_day" date,
                "feedback_status" character varying(20),
                "feedback_at" TIMESTAMP WITH TIME ZONE,
                "first_contacted_at" TIMESTAMP WITH TIME ZONE,
                "follow_up_seconds" integer,
                "sale_value" numeric(14, 2),
                "lost_reason" text,
                "created_at" TIMESTAMP WITH TIME ZONE NOT NULL DEFAULT now(),
                "updated_at" TIMESTAMP WITH TIME ZONE NOT NULL DEFAULT now(),
                CONSTRAINT "PK_ea9980e34f738b6252817326c08" PRIMARY KEY ("id")
            )
        `);
    await queryRunner.query(`
            CREATE INDEX "referrals_campaign_id_idx" ON "referrals" ("campaign_id")
        `);
    await queryRunner.query(`
            CREATE UNIQUE INDEX "referrals_call_id_key" ON "referrals" ("call_id")
        `);
    await queryRunner.query(`
            CREATE INDEX "referrals_caller_id_idx" ON "referrals" ("caller_id")
        `);
    await queryRunner.query(`
            CREATE INDEX "referrals_rep_id_idx" ON "referrals" ("rep_id")
        `);
    await queryRunner.query(`
            CREATE INDEX "referrals_status_idx" ON "referrals" ("status", "created_at")
        `);
    await queryRunner.query(`
            CREATE INDEX "referrals_client_feed_day_idx" ON "referrals" ("client_id", "feed_day")
            WHERE "feed_day" IS NOT NULL
        `);
    await queryRunner.query(`
            CREATE INDEX "referrals_client_feed_seq_idx" ON "referrals" ("client_id", "feed_seq")
            WHERE "feed_seq" IS NOT NULL
        `);
    await queryRunner.query(`
            CREATE TABLE "webhook_attempts" (
                "id" bigint GENERATED ALWAYS AS IDENTITY NOT NULL,
                "delivery_id" character varying(40) NOT NULL,
                "at" TIMESTAMP WITH TIME ZONE NOT NULL,
                "status_code" integer,
                "error" text,
                "duration_ms" integer NOT NULL,
                CONSTRAINT "PK_2de7e7887ad97de459adab62638" PRIMARY KEY ("id")
            )
        `);
    await queryRunner.query(`
            CREATE INDEX "webhook_attempts_delivery_idx" ON "webhook_attempts" ("delivery_id")
        `);
    await queryRunner.query(`
            CREATE TABLE "webhook_deliveries" (
                "id" character varying(40) NOT NULL,
                "endpoint_id" uuid NOT NULL,
                "client_id" uuid NOT NULL,
                "referral_id" uuid,
                "event_type" character varying(40) NOT NULL,
                "body" text NOT NULL,
                "status" character varying(10) NOT NULL DEFAULT 'pending',
                "attempts" integer NOT NULL DEFAULT '0',
                "next_attempt_at" TIMESTAMP WITH TIME ZONE,
                "last_status_code" integer,
                "last_error" text,
                "delivered_at" TIMESTAMP WITH TIME ZONE,
                "created_at" TIMESTAMP WITH TIME ZONE NOT NULL DEFAULT now(),
                CONSTRAINT "PK_535dd409947fb6d8fc6dfc0112a" PRIMARY KEY ("id")
            )
        `);
    await queryRunner.query(`
            CREATE INDEX "webhook_deliveries_referral_idx" ON "webhook_deliveries" ("referral_id")
        `);
    await queryRunner.query(`
            CREATE INDEX "webhook_deliveries_due_idx" ON "webhook_deliveries" ("next_attempt_at")
            WHERE "status" = 'pending'
        `);
    await queryRunner.query(`
            CREATE INDEX "webhook_deliveries_endpoint_idx" ON "webhook_deliveries" ("endpoint_id", "created_at")
        `);
    await queryRunner.query(`
            CREATE TABLE "webhook_endpoints" (
                "id" uuid NOT NULL DEFAULT gen_random_uuid(),
                "client_id" uuid NOT NULL,
                "url" text NOT NULL,
                "secret" text NOT NULL,
                "active" boolean NOT NULL DEFAULT true,
                "disabled_reason" text,
                "created_at" TIMESTAMP WITH TIME ZONE NOT NULL DEFAULT now(),
                CONSTRAINT "PK_054c4cfb95223732f5939d2d546" PRIMARY KEY ("id")
            )
        `);
    await queryRunner.query(`
            CREATE INDEX "webhook_endpoints_client_id_idx" ON "webhook_endpoints" ("client_id")
        `);
    await queryRunner.query(`
            ALTER TABLE "sales_reps"
            ADD "is_default" boolean NOT NULL DEFAULT false
        `);
    await queryRunner.query(`
            ALTER TABLE "campaigns"
            ADD "score_weights" jsonb
        `);
    await queryRunner.query(`
            ALTER TABLE "campaigns"
            ADD "review_sample_pct" integer NOT NULL DEFAULT '0'
        `);
    await queryRunner.query(`
            CREATE UNIQUE INDEX "sales_reps_client_default_key" ON "sales_reps" ("client_id")
            WHERE "is_default"
        `);
  }

  public async down(queryRunner: QueryRunner): Promise<void> {
    await queryRunner.query(`DROP SEQUENCE "referral_feed_seq"`);
    await queryRunner.query(`
            DROP INDEX "public"."sales_reps_client_default_key"
        `);
    await queryRunner.query(`
            ALTER TABLE "campaigns" DROP COLUMN "review_sample_pct"
        `);
    await queryRunner.query(`
            ALTER TABLE "campaigns" DROP COLUMN "score_weights"
        `);
    await queryRunner.query(`
            ALTER TABLE "sales_reps" DROP COLUMN "is_default"
        `);
    await queryRunner.query(`
            DROP INDEX "public"."webhook_endpoints_client_id_idx"
        `);
    await queryRunner.query(`
            DROP TABLE "webhook_endpoints"
        `);
    await queryRunner.query(`
            DROP INDEX "public"."webhook_deliveries_endpoint_idx"
        `);
    await queryRunner.query(`
            DROP INDEX "public"."webhook_deliveries_due_idx"
        `);
    await queryRunner.query(`
            DROP INDEX "public"."webhook_deliveries_referral_idx"
        `);
    await queryRunner.query(`
            DROP TABLE "webhook_deliveries"
        `);
    await queryRunner.query(`
            DROP INDEX "public"."webhook_attempts_delivery_idx"
        `);
    await queryRunner.query(`
            DROP TABLE "webhook_attempts"
        `);
    await queryRunner.query(`
            DROP INDEX "public"."referrals_client_feed_seq_idx"
        `);
    await queryRunner.query(`
            DROP INDEX "public"."referrals_client_feed_day_idx"
        `);
    await queryRunner.query(`
            DROP INDEX "public"."referrals_status_idx"
        `);
    await queryRunner.query(`
            DROP INDEX "public"."referrals_rep_id_idx"
        `);
    await queryRunner.query(`
            DROP INDEX "public"."referrals_caller_id_idx"
        `);
    await queryRunner.query(`
            DROP INDEX "public"."referrals_call_id_key"
        `);
    await queryRunner.query(`
            DROP INDEX "public"."referrals_campaign_id_idx"
        `);
    await queryRunner.query(`
            DROP TABLE "referrals"
        `);
    await queryRunner.query(`
            DROP TYPE "public"."referral_status"
        `);
    await queryRunner.query(`
            DROP TYPE "public"."referral_rating"
        `);
    await queryRunner.query(`
            DROP INDEX "public"."referral_events_referral_id_idx"
        `);
    await queryRunner.query(`
            DROP TABLE "referral_events"
        `);
  }
}
