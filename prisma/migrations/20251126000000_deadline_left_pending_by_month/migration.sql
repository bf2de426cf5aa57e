-- DropIndex
DROP INDEX "Deadline_pendingUntil_pendingFrom_dueAt_id_idx";


-- Deadlines that left pending, grouped by the month they left it and walked in due order:
-- "pending as of T" reads one short, ordered walk per month since T instead of sorting every
-- deadline resolved since T. Covering, so the walk never touches the table.
CREATE INDEX "Deadline_pendingUntilMonth_dueAt_idx" ON "Deadline"(substr("pendingUntil", 1, 7), "dueAt", "id", "pendingUntil", "pendingFrom");
