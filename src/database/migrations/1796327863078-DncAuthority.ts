import { MigrationInterface, QueryRunner } from 'typeorm';

/**
 * Do-not-call authority: an extract records how many valid numbers it listed (a registry extract
 * that listed none does not count for the 31-day rule), and its uploader is a user.
 */
export class DncAuthority1796327863078 implements MigrationInterface {
  name = 'DncAuthority1796327863078';

  public async up(queryRunner: QueryRunner): Promise<void> {
    await queryRunner.query(`
            ALTER TABLE "dnc_extracts"
            ADD "listed" integer NOT NULL DEFAULT '0'
        `);
    // Extracts taken before: every line that was not invalid gave at least one number.
    await queryRunner.query(`
            UPDATE "dnc_extracts" SET "listed" = GREATEST("received" - "invalid", 0)
        `);
    // An uploader id naming no user (none is expected: users are never deleted) is unknown.
    await queryRunner.query(`
            UPDATE "dnc_extracts" x SET "created_by" = NULL
             WHERE "created_by" IS NOT NULL AND NOT EXISTS (SELECT 1 FROM "users" u WHERE u."id" = x."created_by")
        `);
    await queryRunner.query(`
            ALTER TABLE "dnc_extracts"
            ADD CONSTRAINT "FK_1258ee547b904c400126945a3f7" FOREIGN KEY ("created_by") REFERENCES "users"("id") ON DELETE RESTRICT ON UPDATE NO ACTION
        `);
  }

  public async down(queryRunner: QueryRunner): Promise<void> {
    await queryRunner.query(`
            ALTER TABLE "dnc_extracts" DROP CONSTRAINT "FK_1258ee547b904c400126945a3f7"
        `);
    await queryRunner.query(`
            ALTER TABLE "dnc_extracts" DROP COLUMN "listed"
        `);
  }
}
