-- A scenario's timeline (src/db/sql/scenario-view.ts) lists its records, then their entries
-- recorded by knownAt, newest first. At 1M deadlines a scenario holds about 1,000 records and
-- 3,000 entries, and each was a row read somewhere in the file: the deadline's id (not in the
-- index on scenarioId or threatId), the entry's recordedAt (not in the history index). These
-- indexes now hold those columns, so the timeline reads indexes only. None of the columns added
-- ever changes after a row is written: no status change writes more pages than before.

-- DropIndex
DROP INDEX "StatusChange_recordKind_recordId_effectiveAt_seq_idx";

-- CreateIndex
CREATE INDEX "StatusChange_recordKind_recordId_effectiveAt_seq_recordedAt_idx" ON "StatusChange"("recordKind", "recordId", "effectiveAt", "seq", "recordedAt");

-- DropIndex
DROP INDEX "Deadline_threatId_idx";

-- CreateIndex
CREATE INDEX "Deadline_threatId_scenarioId_id_idx" ON "Deadline"("threatId", "scenarioId", "id");

-- DropIndex
DROP INDEX "Deadline_scenarioId_idx";

-- CreateIndex
CREATE INDEX "Deadline_scenarioId_id_idx" ON "Deadline"("scenarioId", "id");
