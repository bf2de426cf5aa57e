-- DropIndex
DROP INDEX "Deadline_pendingUntil_idx";

-- CreateIndex
CREATE INDEX "Deadline_pendingUntil_pendingFrom_dueAt_id_idx" ON "Deadline"("pendingUntil", "pendingFrom", "dueAt", "id");

