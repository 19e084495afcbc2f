import { MigrationInterface, QueryRunner } from 'typeorm';

export class Outcomes1795468290176 implements MigrationInterface {
  name = 'Outcomes1795468290176';

  public async up(queryRunner: QueryRunner): Promise<void> {
    await queryRunner.query(`
            ALTER TABLE "calls"
            ADD "ended_at" TIMESTAMP WITH TIME ZONE
        `);
    await queryRunner.query(`
            CREATE TYPE "public"."call_disposition" AS ENUM(
                'no_answer',
                'busy',
                'voicemail',
                'wrong_number',
                'gatekeeper',
                'not_interested',
                'recall',
                'do_not_call',
                'referral'
            )
        `);
    await queryRunner.query(`
            ALTER TABLE "calls"
            ADD "disposition" "public"."call_disposition"
        `);
    await queryRunner.query(`
            ALTER TABLE "calls"
            ADD "outcome" jsonb
        `);
    await queryRunner.query(`
            ALTER TABLE "calls"
            ADD "outcome_at" TIMESTAMP WITH TIME ZONE
        `);
    // Hand-edited: the generated drop-and-recreate of call_state fails on the partial index that
    // uses it (calls_caller_open_key); adding a value in place is what PostgreSQL does best.
    await queryRunner.query(
      `ALTER TYPE "public"."call_state" ADD VALUE IF NOT EXISTS 'no_outcome'`,
    );
  }

  public async down(queryRunner: QueryRunner): Promise<void> {
    // 'no_outcome' stays in call_state: PostgreSQL cannot drop an enum value, and an unused one is harmless.
    await queryRunner.query(`
            ALTER TABLE "calls" DROP COLUMN "outcome_at"
        `);
    await queryRunner.query(`
            ALTER TABLE "calls" DROP COLUMN "outcome"
        `);
    await queryRunner.query(`
            ALTER TABLE "calls" DROP COLUMN "disposition"
        `);
    await queryRunner.query(`
            DROP TYPE "public"."call_disposition"
        `);
    await queryRunner.query(`
            ALTER TABLE "calls" DROP COLUMN "ended_at"
        `);
  }
}
