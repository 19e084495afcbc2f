import { MigrationInterface, QueryRunner } from 'typeorm';

export class AwaitingOutcome1795512134713 implements MigrationInterface {
  name = 'AwaitingOutcome1795512134713';

  public async up(queryRunner: QueryRunner): Promise<void> {
    await queryRunner.query(`
            CREATE INDEX "calls_awaiting_outcome_idx" ON "calls" ("ended_at")
            WHERE "disposition" IS NULL
                AND "state" IN (
                    'completed',
                    'busy',
                    'failed',
                    'no-answer',
                    'canceled'
                )
        `);
  }

  public async down(queryRunner: QueryRunner): Promise<void> {
    await queryRunner.query(`
            DROP INDEX "public"."calls_awaiting_outcome_idx"
        `);
  }
}
