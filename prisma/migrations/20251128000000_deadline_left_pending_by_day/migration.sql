-- The same walk by day: "pending as of T" reads the rest of T's month day by day when few days
-- remain, instead of skipping most of a month's rows that left pending before T.
CREATE INDEX "Deadline_pendingUntilDay_dueAt_idx" ON "Deadline"(substr("pendingUntil", 1, 10), "dueAt", "id", "pendingUntil", "pendingFrom", "pendingReopened");
