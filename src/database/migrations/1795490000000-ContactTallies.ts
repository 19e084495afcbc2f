import { MigrationInterface, QueryRunner } from 'typeorm';

/**
 * contact_tallies: how many contacts each campaign has per status and attempts made, kept by
 * statement-level triggers on contacts, so a campaign's projection (dials its list has left)
 * never scans its contacts. Written by hand (no entity: TypeORM would drop the covering index
 * and cannot express the triggers).
 *
 * Each statement that inserts, updates or deletes contacts appends its net change as rows
 * (campaign, status, attempts, ±contacts); appends never wait on each other, so a long import
 * and the outcomes of the same campaign do not queue behind one counter row. A campaign's
 * tally is the sum of its rows; the cap sweep folds each campaign's rows into one per status
 * and attempts from time to time (ContactTallies.compact).
 */
export class ContactTallies1795490000000 implements MigrationInterface {
  name = 'ContactTallies1795490000000';

  public async up(queryRunner: QueryRunner): Promise<void> {
    await queryRunner.query(`
            CREATE TABLE "contact_tallies" (
                "campaign_id" uuid NOT NULL,
                "status" "public"."contact_status" NOT NULL,
                "attempts" integer NOT NULL,
                "contacts" bigint NOT NULL
            )
        `);
    await queryRunner.query(`
            CREATE INDEX "contact_tallies_campaign_idx" ON "contact_tallies" ("campaign_id")
            INCLUDE ("status", "attempts", "contacts")
        `);
    await queryRunner.query(`
            CREATE FUNCTION contact_tallies_added() RETURNS trigger LANGUAGE plpgsql AS $$
            BEGIN
              INSERT INTO contact_tallies (campaign_id, status, attempts, contacts)
              SELECT campaign_id, status, attempts, count(*) FROM tally_new GROUP BY 1, 2, 3;
              RETURN NULL;
            END $$
        `);
    await queryRunner.query(`
            CREATE FUNCTION contact_tallies_changed() RETURNS trigger LANGUAGE plpgsql AS $$
            BEGIN
              INSERT INTO contact_tallies (campaign_id, status, attempts, contacts)
              SELECT campaign_id, status, attempts, sum(n) FROM (
                SELECT campaign_id, status, attempts, 1 AS n FROM tally_new
                UNION ALL
                SELECT campaign_id, status, attempts, -1 FROM tally_old) d
               GROUP BY 1, 2, 3 HAVING sum(n) <> 0;
              RETURN NULL;
            END $$
        `);
    await queryRunner.query(`
            CREATE FUNCTION contact_tallies_removed() RETURNS trigger LANGUAGE plpgsql AS $$
            BEGIN
              INSERT INTO contact_tallies (campaign_id, status, attempts, contacts)
              SELECT campaign_id, status, attempts, -count(*) FROM tally_old GROUP BY 1, 2, 3;
              RETURN NULL;
            END $$
        `);
    await queryRunner.query(`
            CREATE TRIGGER contact_tallies_added AFTER INSERT ON "contacts"
            REFERENCING NEW TABLE AS tally_new
            FOR EACH STATEMENT EXECUTE FUNCTION contact_tallies_added()
        `);
    await queryRunner.query(`
            CREATE TRIGGER contact_tallies_changed AFTER UPDATE ON "contacts"
            REFERENCING OLD TABLE AS tally_old NEW TABLE AS tally_new
            FOR EACH STATEMENT EXECUTE FUNCTION contact_tallies_changed()
        `);
    await queryRunner.query(`
            CREATE TRIGGER contact_tallies_removed AFTER DELETE ON "contacts"
            REFERENCING OLD TABLE AS tally_old
            FOR EACH STATEMENT EXECUTE FUNCTION contact_tallies_removed()
        `);
    await queryRunner.query(`
            INSERT INTO "contact_tallies" (campaign_id, status, attempts, contacts)
            SELECT campaign_id, status, attempts, count(*) FROM "contacts" GROUP BY 1, 2, 3
        `);
  }

  public async down(queryRunner: QueryRunner): Promise<void> {
    await queryRunner.query(`DROP TRIGGER contact_tallies_removed ON "contacts"`);
    await queryRunner.query(`DROP TRIGGER contact_tallies_changed ON "contacts"`);
    await queryRunner.query(`DROP TRIGGER contact_tallies_added ON "contacts"`);
    await queryRunner.query(`DROP FUNCTION contact_tallies_removed()`);
    await queryRunner.query(`DROP FUNCTION contact_tallies_changed()`);
    await queryRunner.query(`DROP FUNCTION contact_tallies_added()`);
    await queryRunner.query(`DROP TABLE "contact_tallies"`);
  }
}
