-- A commitment's deadlines in due order, as its detail embeds a page of them and
-- GET /api/deadlines?commitment= pages through them (decision 022), and its moved ones by their earliest due date.
DROP INDEX "Deadline_commitmentId_idx";
CREATE INDEX "Deadline_commitmentId_dueAt_id_idx" ON "Deadline"("commitmentId", "dueAt", "id");
CREATE INDEX "Deadline_commitmentId_moved_idx" ON "Deadline"("commitmentId", "dueAtEarliest", "id") WHERE "datesMoved" = 1;
