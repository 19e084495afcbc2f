import { MigrationInterface, QueryRunner } from 'typeorm';

export class Telephony1795471805508 implements MigrationInterface {
  name = 'Telephony1795471805508';

  public async up(queryRunner: QueryRunner): Promise<void> {
    await queryRunner.query(`
            CREATE TABLE "call_events" (
                "id" BIGSERIAL NOT NULL,
                "call_id" uuid NOT NULL,
                "call_sid" character varying(40) NOT NULL,
                "sequence_number" integer NOT NULL,
                "status" character varying(20) NOT NULL,
                "duration_seconds" integer,
                "applied" boolean NOT NULL,
                "received_at" TIMESTAMP WITH TIME ZONE NOT NULL,
                CONSTRAINT "PK_ae7349495543762c8be7de28b7f" PRIMARY KEY ("id")
            )
        `);
    await queryRunner.query(`
            CREATE INDEX "call_events_call_id_idx" ON "call_events" ("call_id")
        `);
    await queryRunner.query(`
            CREATE UNIQUE INDEX "call_events_sid_seq_key" ON "call_events" ("call_sid", "sequence_number")
        `);
    await queryRunner.query(`
            ALTER TABLE "calls"
            ADD "parent_call_sid" character varying(40)
        `);
    await queryRunner.query(`
            ALTER TABLE "calls"
            ADD "provider_call_sid" character varying(40)
        `);
    await queryRunner.query(`
            ALTER TABLE "calls"
            ADD "cut_requested_at" TIMESTAMP WITH TIME ZONE
        `);
    await queryRunner.query(`
            ALTER TABLE "calls"
            ADD "recording_sid" character varying(40)
        `);
    await queryRunner.query(`
            ALTER TABLE "calls"
            ADD "recording_url" text
        `);
    await queryRunner.query(`
            ALTER TABLE "calls"
            ADD "recording_seconds" integer
        `);
    await queryRunner.query(`
            ALTER TABLE "campaigns"
            ADD "record_calls" boolean NOT NULL DEFAULT false
        `);
    await queryRunner.query(`
            CREATE INDEX "calls_on_line_idx" ON "calls" ("answered_at")
            WHERE "state" = 'in_progress'
        `);
  }

  public async down(queryRunner: QueryRunner): Promise<void> {
    await queryRunner.query(`
            DROP INDEX "public"."calls_on_line_idx"
        `);
    await queryRunner.query(`
            ALTER TABLE "campaigns" DROP COLUMN "record_calls"
        `);
    await queryRunner.query(`
            ALTER TABLE "calls" DROP COLUMN "recording_seconds"
        `);
    await queryRunner.query(`
            ALTER TABLE "calls" DROP COLUMN "recording_url"
        `);
    await queryRunner.query(`
            ALTER TABLE "calls" DROP COLUMN "recording_sid"
        `);
    await queryRunner.query(`
            ALTER TABLE "calls" DROP COLUMN "cut_requested_at"
        `);
    await queryRunner.query(`
            ALTER TABLE "calls" DROP COLUMN "provider_call_sid"
        `);
    await queryRunner.query(`
            ALTER TABLE "calls" DROP COLUMN "parent_call_sid"
        `);
    await queryRunner.query(`
            DROP INDEX "public"."call_events_sid_seq_key"
        `);
    await queryRunner.query(`
            DROP INDEX "public"."call_events_call_id_idx"
        `);
    await queryRunner.query(`
            DROP TABLE "call_events"
        `);
  }
}
