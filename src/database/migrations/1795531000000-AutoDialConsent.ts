import { MigrationInterface, QueryRunner } from 'typeorm';

export class AutoDialConsent1795531000000 implements MigrationInterface {
  name = 'AutoDialConsent1795531000000';

  public async up(queryRunner: QueryRunner): Promise<void> {
    await queryRunner.query(`
            ALTER TABLE "campaigns"
            ADD "preview_seconds" integer NOT NULL DEFAULT '5'
        `);
    await queryRunner.query(`
            ALTER TABLE "contacts"
            ADD "written_consent_at" TIMESTAMP WITH TIME ZONE
        `);
    await queryRunner.query(`
            ALTER TABLE "contacts"
            ADD "written_consent_source" text
        `);
  }

  public async down(queryRunner: QueryRunner): Promise<void> {
    await queryRunner.query(`
            ALTER TABLE "contacts" DROP COLUMN "written_consent_source"
        `);
    await queryRunner.query(`
            ALTER TABLE "contacts" DROP COLUMN "written_consent_at"
        `);
    await queryRunner.query(`
            ALTER TABLE "campaigns" DROP COLUMN "preview_seconds"
        `);
  }
}
