-- "Pending as of T, as known at K" walks the deadlines whose leaving was recorded in a month after
-- K (decision 007). In K's own month most were recorded before K: the index now holds the
-- recorded time itself, so those are passed over in the index, not by reading each row
-- (measured at 1M deadlines: 35 ms for one page before).
DROP INDEX "Deadline_pendingUntilKnownMonth_dueAt_idx";
CREATE INDEX "Deadline_pendingUntilKnownMonth_dueAt_idx" ON "Deadline"(substr("pendingUntilKnownAt", 1, 7), "dueAt", "id", "pendingUntilKnownAt", "pendingUntil", "pendingFrom", "pendingKnownFrom", "pendingInexact");
