import { MigrationInterface, QueryRunner } from 'typeorm';

export class LoginLimiter1796327631780 implements MigrationInterface {
  name = 'LoginLimiter1796327631780';

  public async up(queryRunner: QueryRunner): Promise<void> {
    await queryRunner.query(`
            CREATE TABLE "login_known_contexts" (
                "user_id" uuid NOT NULL,
                "kind" character varying(8) NOT NULL,
                "value" character varying(64) NOT NULL,
                "last_success_at" TIMESTAMP WITH TIME ZONE NOT NULL,
                CONSTRAINT "PK_c932959e1b4c94fc30782476af4" PRIMARY KEY ("user_id", "kind", "value")
            )
        `);
    await queryRunner.query(`
            CREATE INDEX "login_known_contexts_last_success_at_idx" ON "login_known_contexts" ("last_success_at")
        `);
    await queryRunner.query(`
            ALTER TABLE "login_failures" DROP COLUMN "locked_until"
        `);
    await queryRunner.query(`
            CREATE INDEX "login_failures_window_started_at_idx" ON "login_failures" ("window_started_at")
        `);
    await queryRunner.query(`
            ALTER TABLE "login_known_contexts"
            ADD CONSTRAINT "FK_9025e4baf46c2cc40559d43fc8a" FOREIGN KEY ("user_id") REFERENCES "users"("id") ON DELETE CASCADE ON UPDATE NO ACTION
        `);
  }

  public async down(queryRunner: QueryRunner): Promise<void> {
    await queryRunner.query(`
            ALTER TABLE "login_known_contexts" DROP CONSTRAINT "FK_9025e4baf46c2cc40559d43fc8a"
        `);
    await queryRunner.query(`
            DROP INDEX "public"."login_failures_window_started_at_idx"
        `);
    await queryRunner.query(`
            ALTER TABLE "login_failures"
            ADD "locked_until" TIMESTAMP WITH TIME ZONE
        `);
    await queryRunner.query(`
            DROP INDEX "public"."login_known_contexts_last_success_at_idx"
        `);
    await queryRunner.query(`
            DROP TABLE "login_known_contexts"
        `);
  }
}
