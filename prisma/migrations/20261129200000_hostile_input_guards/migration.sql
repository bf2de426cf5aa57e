-- REPLACE INTO / INSERT OR REPLACE would delete the entry with the same seq and write a new one,
-- without firing the no-delete trigger (unless recursive_triggers is on for that connection).
-- Refusing an existing seq before the insert holds whatever the connection's pragmas.
CREATE TRIGGER "StatusChange_no_replace" BEFORE INSERT ON "StatusChange"
WHEN NEW."seq" IS NOT NULL AND EXISTS (SELECT 1 FROM "StatusChange" WHERE "seq" = NEW."seq")
BEGIN SELECT RAISE(ABORT, 'StatusChange is append-only'); END;

-- Unique names compared after Unicode NFC and case folding: a stored key column each, unique.
-- AlterTable
ALTER TABLE "Actor" ADD COLUMN "nameKey" TEXT;

-- AlterTable
ALTER TABLE "Scenario" ADD COLUMN "titleKey" TEXT;

-- AlterTable
ALTER TABLE "Topic" ADD COLUMN "nameKey" TEXT;

-- CreateIndex
CREATE UNIQUE INDEX "Actor_nameKey_key" ON "Actor"("nameKey");

-- CreateIndex
CREATE UNIQUE INDEX "Scenario_titleKey_key" ON "Scenario"("titleKey");

-- CreateIndex
CREATE UNIQUE INDEX "Topic_nameKey_key" ON "Topic"("nameKey");

-- Existing rows get their keys when the server next opens the database (src/db/client.ts):
-- SQLite has no Unicode normalisation or case folding to compute them here.
