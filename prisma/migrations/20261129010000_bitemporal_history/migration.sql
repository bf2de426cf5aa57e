-- The bitemporal history (decision 003): every entry has an effective and a recorded time,
-- entries may be scheduled, lapse by their terms, move dates, or be retracted.
-- Written by hand where Prisma would redefine a table: columns are added in place so the
-- deadline expression indexes stay, and the history table is rebuilt (its status becomes
-- optional, for dates entries) with its append-only triggers restored.

ALTER TABLE "Scenario" ADD COLUMN "statusUntil" DATETIME;
ALTER TABLE "Threat" ADD COLUMN "statusUntil" DATETIME;
ALTER TABLE "Condition" ADD COLUMN "statusUntil" DATETIME;
ALTER TABLE "Event" ADD COLUMN "statusUntil" DATETIME;
ALTER TABLE "Deadline" ADD COLUMN "statusUntil" DATETIME;
ALTER TABLE "Deadline" ADD COLUMN "kind" TEXT NOT NULL DEFAULT 'stated';
ALTER TABLE "Deadline" ADD COLUMN "pendingKnownFrom" DATETIME;
ALTER TABLE "Deadline" ADD COLUMN "pendingUntilKnownAt" DATETIME;
ALTER TABLE "Deadline" ADD COLUMN "datesMoved" BOOLEAN NOT NULL DEFAULT false;
ALTER TABLE "Deadline" RENAME COLUMN "pendingReopened" TO "pendingInexact";

-- When the tracker learnt each bound: the recorded time of the entries that set them.
UPDATE "Deadline" SET "pendingKnownFrom" = (
  SELECT MIN(sc."recordedAt") FROM "StatusChange" sc WHERE sc."recordKind" = 'deadline' AND sc."recordId" = "Deadline"."id" AND sc."to" = 'pending'
);
UPDATE "Deadline" SET "pendingUntilKnownAt" = (
  SELECT MAX(sc."recordedAt") FROM "StatusChange" sc WHERE sc."recordKind" = 'deadline' AND sc."recordId" = "Deadline"."id" AND sc."from" = 'pending'
) WHERE "pendingUntil" IS NOT NULL;

-- Deadlines whose bounds are not exact are walked in due order on their own, and their history read.
CREATE INDEX "Deadline_pendingInexact_dueAt_idx" ON "Deadline"("pendingInexact", "datesMoved", "dueAt", "id");
CREATE INDEX "Deadline_datesMoved_idx" ON "Deadline"("datesMoved");
-- "Pending as of T, as known at K": deadlines that left pending by T but whose leaving was
-- recorded after K, walked by the month it was recorded in, in due order.
CREATE INDEX "Deadline_pendingUntilKnownMonth_dueAt_idx" ON "Deadline"(substr("pendingUntilKnownAt", 1, 7), "dueAt", "id", "pendingUntil", "pendingFrom", "pendingKnownFrom", "pendingInexact");

PRAGMA defer_foreign_keys=ON;
PRAGMA foreign_keys=OFF;
CREATE TABLE "new_StatusChange" (
    "seq" INTEGER NOT NULL PRIMARY KEY AUTOINCREMENT,
    "recordKind" TEXT NOT NULL,
    "recordId" TEXT NOT NULL,
    "change" TEXT NOT NULL DEFAULT 'status',
    "from" TEXT,
    "to" TEXT,
    "values" TEXT,
    "effectiveAt" DATETIME NOT NULL,
    "recordedAt" DATETIME NOT NULL,
    "byTerms" BOOLEAN NOT NULL DEFAULT false,
    "until" DATETIME,
    "returnsTo" TEXT,
    "reason" TEXT NOT NULL,
    "by" TEXT NOT NULL,
    "correction" BOOLEAN NOT NULL DEFAULT false,
    "causedBySeq" INTEGER,
    "sourceId" TEXT,
    "evidenceId" TEXT,
    CONSTRAINT "StatusChange_causedBySeq_fkey" FOREIGN KEY ("causedBySeq") REFERENCES "StatusChange" ("seq") ON DELETE SET NULL ON UPDATE CASCADE,
    CONSTRAINT "StatusChange_sourceId_fkey" FOREIGN KEY ("sourceId") REFERENCES "Source" ("id") ON DELETE SET NULL ON UPDATE CASCADE,
    CONSTRAINT "StatusChange_evidenceId_fkey" FOREIGN KEY ("evidenceId") REFERENCES "Evidence" ("id") ON DELETE SET NULL ON UPDATE CASCADE
);
INSERT INTO "new_StatusChange" ("by", "causedBySeq", "correction", "effectiveAt", "evidenceId", "from", "reason", "recordId", "recordKind", "recordedAt", "seq", "sourceId", "to") SELECT "by", "causedBySeq", "correction", "effectiveAt", "evidenceId", "from", "reason", "recordId", "recordKind", "recordedAt", "seq", "sourceId", "to" FROM "StatusChange";
DROP TABLE "StatusChange";
ALTER TABLE "new_StatusChange" RENAME TO "StatusChange";
CREATE INDEX "StatusChange_recordKind_recordId_effectiveAt_seq_idx" ON "StatusChange"("recordKind", "recordId", "effectiveAt", "seq");
CREATE INDEX "StatusChange_recordKind_effectiveAt_idx" ON "StatusChange"("recordKind", "effectiveAt");
CREATE INDEX "StatusChange_recordedAt_idx" ON "StatusChange"("recordedAt");
CREATE TRIGGER "StatusChange_no_update" BEFORE UPDATE ON "StatusChange"
BEGIN SELECT RAISE(ABORT, 'StatusChange is append-only'); END;
CREATE TRIGGER "StatusChange_no_delete" BEFORE DELETE ON "StatusChange"
BEGIN SELECT RAISE(ABORT, 'StatusChange is append-only'); END;
PRAGMA foreign_keys=ON;
PRAGMA defer_foreign_keys=OFF;

-- CreateTable
CREATE TABLE "Retraction" (
    "id" INTEGER NOT NULL PRIMARY KEY AUTOINCREMENT,
    "entrySeq" INTEGER NOT NULL,
    "causedById" INTEGER,
    "recordedAt" DATETIME NOT NULL,
    "reason" TEXT NOT NULL,
    "by" TEXT NOT NULL,
    CONSTRAINT "Retraction_entrySeq_fkey" FOREIGN KEY ("entrySeq") REFERENCES "StatusChange" ("seq") ON DELETE RESTRICT ON UPDATE CASCADE
);

-- CreateIndex
CREATE UNIQUE INDEX "Retraction_entrySeq_key" ON "Retraction"("entrySeq");

-- CreateIndex
CREATE INDEX "Retraction_recordedAt_idx" ON "Retraction"("recordedAt");


CREATE TRIGGER "Retraction_no_update" BEFORE UPDATE ON "Retraction"
BEGIN SELECT RAISE(ABORT, 'Retraction is append-only'); END;
CREATE TRIGGER "Retraction_no_delete" BEFORE DELETE ON "Retraction"
BEGIN SELECT RAISE(ABORT, 'Retraction is append-only'); END;
