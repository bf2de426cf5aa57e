-- A record's detail embeds at most 100 of each of its lists (decision 022), read in the order it
-- shows them: a threat's, a condition's and an agreement's deadlines in due order, a threat's and
-- an agreement's conditions and a government's members in id order, a record's quotes by source
-- and offset (and whether it is disputed, by one probe per stance). On the old indexes SQLite
-- read every row of the owner to sort them (a threat with 10,000 deadlines: 161 ms); on these a
-- page reads its own rows.

-- DropIndex
DROP INDEX "Actor_governmentId_idx";

-- DropIndex
DROP INDEX "Condition_threatId_idx";

-- DropIndex
DROP INDEX "Condition_agreementId_idx";

-- DropIndex
DROP INDEX "Deadline_conditionId_threatId_idx";

-- DropIndex
DROP INDEX "Deadline_agreementId_idx";

-- DropIndex
DROP INDEX "Evidence_recordKind_recordId_idx";

-- CreateIndex
CREATE INDEX "Actor_governmentId_id_idx" ON "Actor"("governmentId", "id");

-- CreateIndex
CREATE INDEX "Condition_threatId_id_idx" ON "Condition"("threatId", "id");

-- CreateIndex
CREATE INDEX "Condition_agreementId_id_idx" ON "Condition"("agreementId", "id");

-- CreateIndex
CREATE INDEX "Deadline_threatId_dueAt_id_idx" ON "Deadline"("threatId", "dueAt", "id");

-- CreateIndex
CREATE INDEX "Deadline_conditionId_dueAt_id_idx" ON "Deadline"("conditionId", "dueAt", "id");

-- CreateIndex
CREATE INDEX "Deadline_agreementId_dueAt_id_idx" ON "Deadline"("agreementId", "dueAt", "id");

-- CreateIndex
CREATE INDEX "Evidence_recordKind_recordId_sourceId_startOffset_id_idx" ON "Evidence"("recordKind", "recordId", "sourceId", "startOffset", "id");

-- CreateIndex
CREATE INDEX "Evidence_recordKind_recordId_stance_createdAt_idx" ON "Evidence"("recordKind", "recordId", "stance", "createdAt");

-- The deadlines list filtered by a threat, a condition or an agreement walks that owner's
-- deadlines on the indexes above, and its moved ones (few) by their earliest due date on these.
-- Partial, which schema.prisma cannot declare; the WHERE must stay the query's term, word for word.
CREATE INDEX "Deadline_threatId_moved_idx" ON "Deadline"("threatId", "dueAtEarliest", "id") WHERE "datesMoved" = 1;
CREATE INDEX "Deadline_conditionId_moved_idx" ON "Deadline"("conditionId", "dueAtEarliest", "id") WHERE "datesMoved" = 1;
CREATE INDEX "Deadline_agreementId_moved_idx" ON "Deadline"("agreementId", "dueAtEarliest", "id") WHERE "datesMoved" = 1;
