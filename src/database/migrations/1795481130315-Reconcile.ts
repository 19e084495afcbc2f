import { MigrationInterface, QueryRunner } from 'typeorm';

export class Reconcile1795481130315 implements MigrationInterface {
  name = 'Reconcile1795481130315';

  public async up(queryRunner: QueryRunner): Promise<void> {
    await queryRunner.query(`
            ALTER TABLE "call_events"
            ADD "source" character varying(10) NOT NULL DEFAULT 'callback'
        `);
    await queryRunner.query(`
            ALTER TABLE "calls"
            ADD "reconcile_attempted_at" TIMESTAMP WITH TIME ZONE
        `);
    await queryRunner.query(`
            CREATE INDEX "calls_live_idx" ON "calls" ("dialed_at")
            WHERE "state" IN ('dialing', 'ringing', 'in_progress')
        `);
  }

  public async down(queryRunner: QueryRunner): Promise<void> {
    await queryRunner.query(`
            DROP INDEX "public"."calls_live_idx"
        `);
    await queryRunner.query(`
            ALTER TABLE "calls" DROP COLUMN "reconcile_attempted_at"
        `);
    await queryRunner.query(`
            ALTER TABLE "call_events" DROP COLUMN "source"
        `);
  }
}
