-- Faster pending walks (docs/PERFORMANCE.md). Written by hand: columns are added in place so the
-- deadline expression indexes stay.

-- The due-date range of deadlines whose dates moved (see the schema): walked in order of the earliest.
ALTER TABLE "Deadline" ADD COLUMN "dueAtEarliest" DATETIME;
ALTER TABLE "Deadline" ADD COLUMN "dueAtLatest" DATETIME;

UPDATE "Deadline" SET
  "dueAtEarliest" = (
    SELECT MIN(v) FROM (
      SELECT "Deadline"."dueAt" AS v
      UNION ALL
      SELECT replace(json_extract(sc."values", '$.dueAt'), 'Z', '+00:00') FROM "StatusChange" sc
      WHERE sc."recordKind" = 'deadline' AND sc."recordId" = "Deadline"."id" AND sc."change" = 'dates' AND json_type(sc."values", '$.dueAt') = 'text'
    )
  ),
  "dueAtLatest" = CASE
    WHEN "dueAt" IS NULL OR EXISTS (
      SELECT 1 FROM "StatusChange" sc
      WHERE sc."recordKind" = 'deadline' AND sc."recordId" = "Deadline"."id" AND sc."change" = 'dates' AND json_type(sc."values", '$.dueAt') = 'null'
    ) THEN NULL
    ELSE (
      SELECT MAX(v) FROM (
        SELECT "Deadline"."dueAt" AS v
        UNION ALL
        SELECT replace(json_extract(sc."values", '$.dueAt'), 'Z', '+00:00') FROM "StatusChange" sc
        WHERE sc."recordKind" = 'deadline' AND sc."recordId" = "Deadline"."id" AND sc."change" = 'dates' AND json_type(sc."values", '$.dueAt') = 'text'
      )
    )
  END
WHERE "datesMoved" = 1;

-- Deadlines with an uncommon history now keep a hull in their pending columns (pendingHullOf in
-- src/domain/history.ts): from the first entry to "pending", until every entry has taken effect
-- and every entry and retraction is known, unless it may still end pending.
UPDATE "Deadline" SET
  "pendingFrom" = (SELECT MIN(sc."effectiveAt") FROM "StatusChange" sc WHERE sc."recordKind" = 'deadline' AND sc."recordId" = "Deadline"."id" AND sc."change" = 'status' AND sc."to" = 'pending'),
  "pendingKnownFrom" = (SELECT MIN(sc."recordedAt") FROM "StatusChange" sc WHERE sc."recordKind" = 'deadline' AND sc."recordId" = "Deadline"."id" AND sc."change" = 'status' AND sc."to" = 'pending'),
  "pendingUntil" = CASE WHEN "status" = 'pending' OR "statusUntil" IS NOT NULL THEN NULL ELSE (
    SELECT MAX(CASE WHEN sc."until" IS NOT NULL AND sc."until" > sc."effectiveAt" THEN sc."until" ELSE sc."effectiveAt" END)
    FROM "StatusChange" sc WHERE sc."recordKind" = 'deadline' AND sc."recordId" = "Deadline"."id"
  ) END,
  "pendingUntilKnownAt" = CASE WHEN "status" = 'pending' OR "statusUntil" IS NOT NULL THEN NULL ELSE (
    SELECT MAX(CASE WHEN r."recordedAt" IS NOT NULL AND r."recordedAt" > sc."recordedAt" THEN r."recordedAt" ELSE sc."recordedAt" END)
    FROM "StatusChange" sc LEFT JOIN "Retraction" r ON r."entrySeq" = sc."seq" WHERE sc."recordKind" = 'deadline' AND sc."recordId" = "Deadline"."id"
  ) END
WHERE "pendingInexact" = 1;

-- The pending walk in (dueAt, id) order straight from the index, without a sort of equal due dates.
DROP INDEX "Deadline_status_dueAt_idx";
CREATE INDEX "Deadline_status_dueAt_id_idx" ON "Deadline"("status", "dueAt", "id");
DROP INDEX "Deadline_datesMoved_idx";
CREATE INDEX "Deadline_datesMoved_dueAtEarliest_id_idx" ON "Deadline"("datesMoved", "dueAtEarliest", "id");
