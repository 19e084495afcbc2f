import { MigrationInterface, QueryRunner } from 'typeorm';

export class Dialing1795468971278 implements MigrationInterface {
  name = 'Dialing1795468971278';

  public async up(queryRunner: QueryRunner): Promise<void> {
    await queryRunner.query(`
            ALTER TABLE "calls"
            ADD "answered_at" TIMESTAMP WITH TIME ZONE
        `);
    await queryRunner.query(`
            ALTER TABLE "calls"
            ADD "cap_seconds" integer
        `);
    await queryRunner.query(`
            ALTER TABLE "calls"
            ADD "extended" boolean NOT NULL DEFAULT false
        `);
    await queryRunner.query(`
            ALTER TABLE "calls"
            ADD "talk_seconds" integer
        `);
    await queryRunner.query(`
            ALTER TABLE "calls"
            ADD "hit_cap" boolean NOT NULL DEFAULT false
        `);
  }

  public async down(queryRunner: QueryRunner): Promise<void> {
    await queryRunner.query(`
            ALTER TABLE "calls" DROP COLUMN "hit_cap"
        `);
    await queryRunner.query(`
            ALTER TABLE "calls" DROP COLUMN "talk_seconds"
        `);
    await queryRunner.query(`
            ALTER TABLE "calls" DROP COLUMN "extended"
        `);
    await queryRunner.query(`
            ALTER TABLE "calls" DROP COLUMN "cap_seconds"
        `);
    await queryRunner.query(`
            ALTER TABLE "calls" DROP COLUMN "answered_at"
        `);
  }
}
