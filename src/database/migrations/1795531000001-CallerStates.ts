import { MigrationInterface, QueryRunner } from 'typeorm';

export class CallerStates1795531000001 implements MigrationInterface {
  name = 'CallerStates1795531000001';

  public async up(queryRunner: QueryRunner): Promise<void> {
    await queryRunner.query(`
            CREATE TYPE "public"."caller_declared_state" AS ENUM('ready', 'paused')
        `);
    await queryRunner.query(`
            CREATE TYPE "public"."pause_reason" AS ENUM('break', 'lunch', 'training', 'meeting', 'other')
        `);
    await queryRunner.query(`
            CREATE TABLE "caller_state_intervals" (
                "id" bigint GENERATED ALWAYS AS IDENTITY NOT NULL,
                "user_id" uuid NOT NULL,
                "state" "public"."caller_declared_state" NOT NULL,
                "reason" "public"."pause_reason",
                "started_at" TIMESTAMP WITH TIME ZONE NOT NULL,
                "ended_at" TIMESTAMP WITH TIME ZONE,
                "last_seen_at" TIMESTAMP WITH TIME ZONE NOT NULL,
                CONSTRAINT "PK_58a798c57518fb3eed5490ce634" PRIMARY KEY ("id")
            )
        `);
    await queryRunner.query(`
            CREATE UNIQUE INDEX "caller_state_intervals_open_key" ON "caller_state_intervals" ("user_id")
            WHERE "ended_at" IS NULL
        `);
    await queryRunner.query(`
            CREATE INDEX "caller_state_intervals_user_started_idx" ON "caller_state_intervals" ("user_id", "started_at")
        `);
    await queryRunner.query(`
            CREATE INDEX "calls_caller_dialed_idx" ON "calls" ("caller_id", "dialed_at")
            WHERE "dialed_at" IS NOT NULL
        `);
  }

  public async down(queryRunner: QueryRunner): Promise<void> {
    await queryRunner.query(`
            DROP INDEX "public"."calls_caller_dialed_idx"
        `);
    await queryRunner.query(`
            DROP INDEX "public"."caller_state_intervals_user_started_idx"
        `);
    await queryRunner.query(`
            DROP INDEX "public"."caller_state_intervals_open_key"
        `);
    await queryRunner.query(`
            DROP TABLE "caller_state_intervals"
        `);
    await queryRunner.query(`
            DROP TYPE "public"."pause_reason"
        `);
    await queryRunner.query(`
            DROP TYPE "public"."caller_declared_state"
        `);
  }
}
