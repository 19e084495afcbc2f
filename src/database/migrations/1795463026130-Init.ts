import { MigrationInterface, QueryRunner } from 'typeorm';

export class Init1795463026130 implements MigrationInterface {
  name = 'Init1795463026130';

  public async up(queryRunner: QueryRunner): Promise<void> {
    await queryRunner.query(`
            CREATE TABLE "login_failures" (
                "key" character varying(300) NOT NULL,
                "failures" integer NOT NULL,
                "window_started_at" TIMESTAMP WITH TIME ZONE NOT NULL,
                "locked_until" TIMESTAMP WITH TIME ZONE,
                CONSTRAINT "PK_917877ed32c9d30e8b6b72caae3" PRIMARY KEY ("key")
            )
        `);
    await queryRunner.query(`
            CREATE TABLE "clients" (
                "id" uuid NOT NULL DEFAULT gen_random_uuid(),
                "name" character varying(200) NOT NULL,
                "timezone" character varying(64) NOT NULL DEFAULT 'America/New_York',
                "created_at" TIMESTAMP WITH TIME ZONE NOT NULL DEFAULT now(),
                "updated_at" TIMESTAMP WITH TIME ZONE NOT NULL DEFAULT now(),
                CONSTRAINT "PK_f1ab7cf3a5714dbc6bb4e1c28a4" PRIMARY KEY ("id")
            )
        `);
    await queryRunner.query(`
            CREATE TYPE "public"."user_role" AS ENUM('admin', 'account_manager', 'caller', 'client')
        `);
    await queryRunner.query(`
            CREATE TABLE "users" (
                "id" uuid NOT NULL DEFAULT gen_random_uuid(),
                "email" character varying(254) NOT NULL,
                "password_hash" text NOT NULL,
                "role" "public"."user_role" NOT NULL,
                "name" character varying(200),
                "client_id" uuid,
                "active" boolean NOT NULL DEFAULT true,
                "created_at" TIMESTAMP WITH TIME ZONE NOT NULL DEFAULT now(),
                "updated_at" TIMESTAMP WITH TIME ZONE NOT NULL DEFAULT now(),
                CONSTRAINT "users_client_role" CHECK (("role" = 'client') = ("client_id" IS NOT NULL)),
                CONSTRAINT "PK_a3ffb1c0c8416b9fc6f907b7433" PRIMARY KEY ("id")
            )
        `);
    await queryRunner.query(`
            CREATE UNIQUE INDEX "users_email_key" ON "users" ("email")
        `);
    await queryRunner.query(`
            CREATE INDEX "users_client_id_idx" ON "users" ("client_id")
        `);
    await queryRunner.query(`
            CREATE TABLE "api_keys" (
                "id" uuid NOT NULL DEFAULT gen_random_uuid(),
                "client_id" uuid NOT NULL,
                "name" character varying(100),
                "prefix" character varying(32) NOT NULL,
                "key_hash" character(64) NOT NULL,
                "created_by" uuid,
                "created_at" TIMESTAMP WITH TIME ZONE NOT NULL DEFAULT now(),
                "last_used_at" TIMESTAMP WITH TIME ZONE,
                "revoked_at" TIMESTAMP WITH TIME ZONE,
                CONSTRAINT "PK_5c8a79801b44bd27b79228e1dad" PRIMARY KEY ("id")
            )
        `);
    await queryRunner.query(`
            CREATE INDEX "api_keys_client_id_idx" ON "api_keys" ("client_id")
        `);
    await queryRunner.query(`
            CREATE UNIQUE INDEX "api_keys_key_hash_key" ON "api_keys" ("key_hash")
        `);
    await queryRunner.query(`
            CREATE TABLE "client_managers" (
                "client_id" uuid NOT NULL,
                "user_id" uuid NOT NULL,
                "created_at" TIMESTAMP WITH TIME ZONE NOT NULL DEFAULT now(),
                CONSTRAINT "PK_5fb40437da479f34aa4ff004d09" PRIMARY KEY ("client_id", "user_id")
            )
        `);
    await queryRunner.query(`
            CREATE INDEX "client_managers_user_id_idx" ON "client_managers" ("user_id")
        `);
    await queryRunner.query(`
            CREATE TABLE "sales_reps" (
                "id" uuid NOT NULL DEFAULT gen_random_uuid(),
                "client_id" uuid NOT NULL,
                "name" character varying(200) NOT NULL,
                "email" character varying(254) NOT NULL,
                "specialties" text array NOT NULL DEFAULT '{}',
                "territories" text array NOT NULL DEFAULT '{}',
                "available" boolean NOT NULL DEFAULT true,
                "created_at" TIMESTAMP WITH TIME ZONE NOT NULL DEFAULT now(),
                "updated_at" TIMESTAMP WITH TIME ZONE NOT NULL DEFAULT now(),
                CONSTRAINT "PK_999046f1493392afd99ad158b42" PRIMARY KEY ("id")
            )
        `);
    await queryRunner.query(`
            CREATE UNIQUE INDEX "sales_reps_client_email_key" ON "sales_reps" ("client_id", "email")
        `);
    await queryRunner.query(`
            ALTER TABLE "users"
            ADD CONSTRAINT "FK_0d1e90d75674c54f8660c4ed446" FOREIGN KEY ("client_id") REFERENCES "clients"("id") ON DELETE CASCADE ON UPDATE NO ACTION
        `);
    await queryRunner.query(`
            ALTER TABLE "api_keys"
            ADD CONSTRAINT "FK_b9f0ad6c30a02bcca328a6316c7" FOREIGN KEY ("client_id") REFERENCES "clients"("id") ON DELETE CASCADE ON UPDATE NO ACTION
        `);
    await queryRunner.query(`
            ALTER TABLE "client_managers"
            ADD CONSTRAINT "FK_d7a325304409b5110656d6ddadf" FOREIGN KEY ("client_id") REFERENCES "clients"("id") ON DELETE CASCADE ON UPDATE NO ACTION
        `);
    await queryRunner.query(`
            ALTER TABLE "client_managers"
            ADD CONSTRAINT "FK_11932d60705da126a9b9bb9b213" FOREIGN KEY ("user_id") REFERENCES "users"("id") ON DELETE CASCADE ON UPDATE NO ACTION
        `);
    await queryRunner.query(`
            ALTER TABLE "sales_reps"
            ADD CONSTRAINT "FK_a07055448ba5cf620896ef200b3" FOREIGN KEY ("client_id") REFERENCES "clients"("id") ON DELETE CASCADE ON UPDATE NO ACTION
        `);
  }

  public async down(queryRunner: QueryRunner): Promise<void> {
    await queryRunner.query(`
            ALTER TABLE "sales_reps" DROP CONSTRAINT "FK_a07055448ba5cf620896ef200b3"
        `);
    await queryRunner.query(`
            ALTER TABLE "client_managers" DROP CONSTRAINT "FK_11932d60705da126a9b9bb9b213"
        `);
    await queryRunner.query(`
            ALTER TABLE "client_managers" DROP CONSTRAINT "FK_d7a325304409b5110656d6ddadf"
        `);
    await queryRunner.query(`
            ALTER TABLE "api_keys" DROP CONSTRAINT "FK_b9f0ad6c30a02bcca328a6316c7"
        `);
    await queryRunner.query(`
            ALTER TABLE "users" DROP CONSTRAINT "FK_0d1e90d75674c54f8660c4ed446"
        `);
    await queryRunner.query(`
            DROP INDEX "public"."sales_reps_client_email_key"
        `);
    await queryRunner.query(`
            DROP TABLE "sales_reps"
        `);
    await queryRunner.query(`
            DROP INDEX "public"."client_managers_user_id_idx"
        `);
    await queryRunner.query(`
            DROP TABLE "client_managers"
        `);
    await queryRunner.query(`
            DROP INDEX "public"."api_keys_key_hash_key"
        `);
    await queryRunner.query(`
            DROP INDEX "public"."api_keys_client_id_idx"
        `);
    await queryRunner.query(`
            DROP TABLE "api_keys"
        `);
    await queryRunner.query(`
            DROP INDEX "public"."users_client_id_idx"
        `);
    await queryRunner.query(`
            DROP INDEX "public"."users_email_key"
        `);
    await queryRunner.query(`
            DROP TABLE "users"
        `);
    await queryRunner.query(`
            DROP TYPE "public"."user_role"
        `);
    await queryRunner.query(`
            DROP TABLE "clients"
        `);
    await queryRunner.query(`
            DROP TABLE "login_failures"
        `);
  }
}
