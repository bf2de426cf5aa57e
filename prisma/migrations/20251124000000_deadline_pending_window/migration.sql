-- AlterTable
ALTER TABLE "Deadline" ADD COLUMN "pendingFrom" DATETIME;
ALTER TABLE "Deadline" ADD COLUMN "pendingUntil" DATETIME;

-- CreateIndex
CREATE INDEX "Deadline_pendingUntil_idx" ON "Deadline"("pendingUntil");


-- Backfill from the history (the truth these columns summarise).
UPDATE "Deadline" SET
  "pendingFrom" = (SELECT min(sc."effectiveAt") FROM "StatusChange" sc WHERE sc."recordKind" = 'deadline' AND sc."recordId" = "Deadline"."id" AND sc."to" = 'pending'),
  "pendingUntil" = CASE WHEN "status" = 'pending' THEN NULL ELSE
    (SELECT max(sc."effectiveAt") FROM "StatusChange" sc WHERE sc."recordKind" = 'deadline' AND sc."recordId" = "Deadline"."id" AND sc."from" = 'pending') END;
