import { MigrationInterface, QueryRunner } from 'typeorm';

export class ParentEnded1795520000000 implements MigrationInterface {
  name = 'ParentEnded1795520000000';

  public async up(queryRunner: QueryRunner): Promise<void> {
    await queryRunner.query(`
            ALTER TABLE "calls"
            ADD "parent_ended_at" TIMESTAMP WITH TIME ZONE
        `);
  }

  public async down(queryRunner: QueryRunner): Promise<void> {
    await queryRunner.query(`
            ALTER TABLE "calls" DROP COLUMN "parent_ended_at"
        `);
  }
}
