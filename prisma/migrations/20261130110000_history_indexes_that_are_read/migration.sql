-- (recordKind, effectiveAt) served no statement (history reads go by record; decision 008 keeps
-- them off it). What is scheduled after a day is walked by (effectiveAt, seq) instead: without it
-- the desk's "coming up" read every entry recorded (decision 015).
-- DropIndex
DROP INDEX "StatusChange_recordKind_effectiveAt_idx";

-- CreateIndex
CREATE INDEX "StatusChange_effectiveAt_seq_idx" ON "StatusChange"("effectiveAt", "seq");

-- An entry's consequences, found when it is retracted (without it: a scan of the whole history
-- under the write lock). Partial: most entries have no cause. Not declared in schema.prisma,
-- which cannot say WHERE.
CREATE INDEX "StatusChange_causedBySeq_idx" ON "StatusChange"("causedBySeq") WHERE "causedBySeq" IS NOT NULL;
