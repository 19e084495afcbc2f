import { MigrationInterface, QueryRunner } from 'typeorm';

export class Campaigns1795464728378 implements MigrationInterface {
  name = 'Campaigns1795464728378';

  public async up(queryRunner: QueryRunner): Promise<void> {
    await queryRunner.query(`
            CREATE TYPE "public"."call_state" AS ENUM(
                'leased',
                'dialing',
                'ringing',
                'in_progress',
                'completed',
                'busy',
                'failed',
                'no-answer',
                'canceled',
                'expired',
                'released',
                'dropped'
            )
        `);
    await queryRunner.query(`
            CREATE TABLE "calls" (
                "id" uuid NOT NULL DEFAULT gen_random_uuid(),
                "client_id" uuid NOT NULL,
                "campaign_id" uuid NOT NULL,
                "contact_id" bigint NOT NULL,
                "caller_id" uuid NOT NULL,
                "phone" character varying(20) NOT NULL,
                "state" "public"."call_state" NOT NULL DEFAULT 'leased',
                "pitch_key" character varying(60),
                "offer_key" character varying(60),
                "lease_expires_at" TIMESTAMP WITH TIME ZONE NOT NULL,
                "dialed_at" TIMESTAMP WITH TIME ZONE,
                "created_at" TIMESTAMP WITH TIME ZONE NOT NULL DEFAULT now(),
                "updated_at" TIMESTAMP WITH TIME ZONE NOT NULL DEFAULT now(),
                CONSTRAINT "PK_d9171d91f8dd1a649659f1b6a20" PRIMARY KEY ("id")
            )
        `);
    await queryRunner.query(`
            CREATE INDEX "calls_campaign_id_idx" ON "calls" ("campaign_id")
        `);
    await queryRunner.query(`
            CREATE INDEX "calls_contact_id_idx" ON "calls" ("contact_id")
        `);
    await queryRunner.query(`
            CREATE UNIQUE INDEX "calls_caller_open_key" ON "calls" ("caller_id")
            WHERE "state" = 'leased'
        `);
    await queryRunner.query(`
            CREATE INDEX "calls_phone_dialed_at_idx" ON "calls" ("phone", "dialed_at")
        `);
    await queryRunner.query(`
            CREATE TYPE "public"."campaign_kind" AS ENUM('b2b', 'consumer')
        `);
    await queryRunner.query(`
            CREATE TYPE "public"."campaign_status" AS ENUM('draft', 'active', 'paused', 'closed')
        `);
    await queryRunner.query(`
            CREATE TABLE "campaigns" (
                "id" uuid NOT NULL DEFAULT gen_random_uuid(),
                "client_id" uuid NOT NULL,
                "name" character varying(200) NOT NULL,
                "product" character varying(200),
                "script" text NOT NULL DEFAULT '',
                "pitches" jsonb NOT NULL DEFAULT '[]',
                "offers" jsonb NOT NULL DEFAULT '[]',
                "talk_cap_seconds" integer NOT NULL DEFAULT '300',
                "extended_cap_seconds" integer NOT NULL DEFAULT '600',
                "extend_allowance_pct" integer NOT NULL DEFAULT '10',
                "window_start" character varying(5) NOT NULL DEFAULT '08:00',
                "window_end" character varying(5) NOT NULL DEFAULT '21:00',
                "max_attempts" integer NOT NULL DEFAULT '3',
                "min_retry_minutes" integer NOT NULL DEFAULT '240',
                "lease_seconds" integer NOT NULL DEFAULT '900',
                "caller_id" character varying(20),
                "kind" "public"."campaign_kind" NOT NULL DEFAULT 'b2b',
                "default_country" character(2) NOT NULL DEFAULT 'US',
                "status" "public"."campaign_status" NOT NULL DEFAULT 'draft',
                "zones" text array NOT NULL DEFAULT '{}',
                "created_at" TIMESTAMP WITH TIME ZONE NOT NULL DEFAULT now(),
                "updated_at" TIMESTAMP WITH TIME ZONE NOT NULL DEFAULT now(),
                CONSTRAINT "PK_831e3fcd4fc45b4e4c3f57a9ee4" PRIMARY KEY ("id")
            )
        `);
    await queryRunner.query(`
            CREATE INDEX "campaigns_client_id_idx" ON "campaigns" ("client_id")
        `);
    await queryRunner.query(`
            CREATE TABLE "campaign_callers" (
                "campaign_id" uuid NOT NULL,
                "user_id" uuid NOT NULL,
                "client_id" uuid NOT NULL,
                "created_at" TIMESTAMP WITH TIME ZONE NOT NULL DEFAULT now(),
                CONSTRAINT "PK_fcc2fc11a5a1700a7f34ea470cf" PRIMARY KEY ("campaign_id", "user_id")
            )
        `);
    await queryRunner.query(`
            CREATE INDEX "campaign_callers_user_id_idx" ON "campaign_callers" ("user_id")
        `);
    await queryRunner.query(`
            CREATE TYPE "public"."import_status" AS ENUM('running', 'completed', 'failed')
        `);
    await queryRunner.query(`
            CREATE TABLE "contact_imports" (
                "id" uuid NOT NULL DEFAULT gen_random_uuid(),
                "campaign_id" uuid NOT NULL,
                "client_id" uuid NOT NULL,
                "status" "public"."import_status" NOT NULL DEFAULT 'running',
                "file_name" character varying(300),
                "bytes_total" bigint NOT NULL DEFAULT '0',
                "bytes_read" bigint NOT NULL DEFAULT '0',
                "received" integer NOT NULL DEFAULT '0',
                "imported" integer NOT NULL DEFAULT '0',
                "duplicates" integer NOT NULL DEFAULT '0',
                "invalid" integer NOT NULL DEFAULT '0',
                "dnc" integer NOT NULL DEFAULT '0',
                "errors" jsonb NOT NULL DEFAULT '[]',
                "failure_reason" text,
                "created_by" uuid,
                "created_at" TIMESTAMP WITH TIME ZONE NOT NULL DEFAULT now(),
                "heartbeat_at" TIMESTAMP WITH TIME ZONE NOT NULL DEFAULT now(),
                "finished_at" TIMESTAMP WITH TIME ZONE,
                CONSTRAINT "PK_4297d9cdb758eea151bbb09dddb" PRIMARY KEY ("id")
            )
        `);
    await queryRunner.query(`
            CREATE INDEX "contact_imports_campaign_id_idx" ON "contact_imports" ("campaign_id")
        `);
    await queryRunner.query(`
            CREATE TYPE "public"."contact_status" AS ENUM('open', 'closed')
        `);
    await queryRunner.query(`
            CREATE TABLE "contacts" (
                "id" bigint GENERATED ALWAYS AS IDENTITY NOT NULL,
                "campaign_id" uuid NOT NULL,
                "client_id" uuid NOT NULL,
                "import_id" uuid,
                "phone" character varying(20) NOT NULL,
                "alt_phones" text array NOT NULL DEFAULT '{}',
                "company" text,
                "first_name" text,
                "last_name" text,
                "title" text,
                "email" text,
                "website" text,
                "street" text,
                "city" text,
                "state" text,
                "zip" text,
                "country" character(2),
                "employees" integer,
                "industry" text,
                "custom" jsonb NOT NULL DEFAULT '{}',
                "time_zones" text array NOT NULL,
                "status" "public"."contact_status" NOT NULL DEFAULT 'open',
                "attempts" integer NOT NULL DEFAULT '0',
                "last_attempt_at" TIMESTAMP WITH TIME ZONE,
                "queue_rank" smallint NOT NULL DEFAULT '1',
                "queue_at" TIMESTAMP WITH TIME ZONE NOT NULL DEFAULT now(),
                "next_call_at" TIMESTAMP WITH TIME ZONE,
                "leased_to" uuid,
                "lease_expires_at" TIMESTAMP WITH TIME ZONE,
                "created_at" TIMESTAMP WITH TIME ZONE NOT NULL DEFAULT now(),
                CONSTRAINT "PK_b99cd40cfd66a99f1571f4f72e6" PRIMARY KEY ("id")
            )
        `);
    await queryRunner.query(`
            CREATE INDEX "contacts_leased_phone_idx" ON "contacts" ("phone")
            WHERE "leased_to" IS NOT NULL
        `);
    await queryRunner.query(`
            CREATE INDEX "contacts_queue_idx" ON "contacts" ("campaign_id", "queue_rank", "queue_at", "id")
            WHERE "status" = 'open'
        `);
    await queryRunner.query(`
            CREATE UNIQUE INDEX "contacts_campaign_phone_key" ON "contacts" ("campaign_id", "phone")
        `);
    await queryRunner.query(`
            CREATE TABLE "dnc_extracts" (
                "id" uuid NOT NULL DEFAULT gen_random_uuid(),
                "client_id" uuid,
                "registry" boolean NOT NULL DEFAULT false,
                "obtained_at" date,
                "received" integer NOT NULL DEFAULT '0',
                "added" integer NOT NULL DEFAULT '0',
                "invalid" integer NOT NULL DEFAULT '0',
                "created_by" uuid,
                "created_at" TIMESTAMP WITH TIME ZONE NOT NULL DEFAULT now(),
                CONSTRAINT "PK_eba39e31aa2889f9a2e22d7b4a5" PRIMARY KEY ("id")
            )
        `);
    await queryRunner.query(`
            CREATE TYPE "public"."dnc_source" AS ENUM('manual', 'list', 'registry', 'outcome')
        `);
    await queryRunner.query(`
            CREATE TABLE "dnc_numbers" (
                "id" bigint GENERATED ALWAYS AS IDENTITY NOT NULL,
                "phone" character varying(20) NOT NULL,
                "client_id" uuid,
                "source" "public"."dnc_source" NOT NULL,
                "extract_id" uuid,
                "added_by" uuid,
                "created_at" TIMESTAMP WITH TIME ZONE NOT NULL DEFAULT now(),
                CONSTRAINT "PK_7e692400b21f7ed8621c907b55c" PRIMARY KEY ("id")
            )
        `);
    await queryRunner.query(`
            CREATE INDEX "dnc_numbers_phone_idx" ON "dnc_numbers" ("phone", "client_id")
        `);
    await queryRunner.query(`
            ALTER TABLE "campaigns"
            ADD CONSTRAINT "FK_b5c217c6c468259b1ac4549f9eb" FOREIGN KEY ("client_id") REFERENCES "clients"("id") ON DELETE CASCADE ON UPDATE NO ACTION
        `);
    await queryRunner.query(`
            ALTER TABLE "campaign_callers"
            ADD CONSTRAINT "FK_8f7ed431cb61a77b9b0d25f3daa" FOREIGN KEY ("campaign_id") REFERENCES "campaigns"("id") ON DELETE CASCADE ON UPDATE NO ACTION
        `);
    await queryRunner.query(`
            ALTER TABLE "campaign_callers"
            ADD CONSTRAINT "FK_e580795d5ce23fac73116eeac9d" FOREIGN KEY ("user_id") REFERENCES "users"("id") ON DELETE CASCADE ON UPDATE NO ACTION
        `);
  }

  public async down(queryRunner: QueryRunner): Promise<void> {
    await queryRunner.query(`
            ALTER TABLE "campaign_callers" DROP CONSTRAINT "FK_e580795d5ce23fac73116eeac9d"
        `);
    await queryRunner.query(`
            ALTER TABLE "campaign_callers" DROP CONSTRAINT "FK_8f7ed431cb61a77b9b0d25f3daa"
        `);
    await queryRunner.query(`
            ALTER TABLE "campaigns" DROP CONSTRAINT "FK_b5c217c6c468259b1ac4549f9eb"
        `);
    await queryRunner.query(`
            DROP INDEX "public"."dnc_numbers_phone_idx"
        `);
    await queryRunner.query(`
            DROP TABLE "dnc_numbers"
        `);
    await queryRunner.query(`
            DROP TYPE "public"."dnc_source"
        `);
    await queryRunner.query(`
            DROP TABLE "dnc_extracts"
        `);
    await queryRunner.query(`
            DROP INDEX "public"."contacts_campaign_phone_key"
        `);
    await queryRunner.query(`
            DROP INDEX "public"."contacts_queue_idx"
        `);
    await queryRunner.query(`
            DROP INDEX "public"."contacts_leased_phone_idx"
        `);
    await queryRunner.query(`
            DROP TABLE "contacts"
        `);
    await queryRunner.query(`
            DROP TYPE "public"."contact_status"
        `);
    await queryRunner.query(`
            DROP INDEX "public"."contact_imports_campaign_id_idx"
        `);
    await queryRunner.query(`
            DROP TABLE "contact_imports"
        `);
    await queryRunner.query(`
            DROP TYPE "public"."import_status"
        `);
    await queryRunner.query(`
            DROP INDEX "public"."campaign_callers_user_id_idx"
        `);
    await queryRunner.query(`
            DROP TABLE "campaign_callers"
        `);
    await queryRunner.query(`
            DROP INDEX "public"."campaigns_client_id_idx"
        `);
    await queryRunner.query(`
            DROP TABLE "campaigns"
        `);
    await queryRunner.query(`
            DROP TYPE "public"."campaign_status"
        `);
    await queryRunner.query(`
            DROP TYPE "public"."campaign_kind"
        `);
    await queryRunner.query(`
            DROP INDEX "public"."calls_phone_dialed_at_idx"
        `);
    await queryRunner.query(`
            DROP INDEX "public"."calls_caller_open_key"
        `);
    await queryRunner.query(`
            DROP INDEX "public"."calls_contact_id_idx"
        `);
    await queryRunner.query(`
            DROP INDEX "public"."calls_campaign_id_idx"
        `);
    await queryRunner.query(`
            DROP TABLE "calls"
        `);
    await queryRunner.query(`
            DROP TYPE "public"."call_state"
        `);
  }
}
