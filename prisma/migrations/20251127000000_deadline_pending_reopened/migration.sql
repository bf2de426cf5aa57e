-- Written by hand: Prisma would redefine the table (and lose the expression index); SQLite can add the column in place.
ALTER TABLE "Deadline" ADD COLUMN "pendingReopened" BOOLEAN NOT NULL DEFAULT false;

-- Backfill from the history: a deadline was reopened if it ever re-entered pending after being recorded.
UPDATE "Deadline" SET "pendingReopened" = EXISTS (
  SELECT 1 FROM "StatusChange" sc
  WHERE sc."recordKind" = 'deadline' AND sc."recordId" = "Deadline"."id" AND sc."to" = 'pending' AND sc."from" IS NOT NULL
);

-- The month walk also reads whether a deadline's bounds are exact, without leaving the index.
DROP INDEX "Deadline_pendingUntilMonth_dueAt_idx";
CREATE INDEX "Deadline_pendingUntilMonth_dueAt_idx" ON "Deadline"(substr("pendingUntil", 1, 7), "dueAt", "id", "pendingUntil", "pendingFrom", "pendingReopened");
