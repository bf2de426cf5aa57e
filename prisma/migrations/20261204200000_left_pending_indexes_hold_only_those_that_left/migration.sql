-- The walks of "left pending in month M / on day D" (and "whose leaving was recorded in month M")
-- only ever look up a month or a day: a deadline still pending (no pendingUntil) is never found
-- through these indexes, yet every one sat in them, and a status change that ended its pending
-- moved it out of that section of all three (a page each, in due order, far from the others).
-- Partial indexes leave those out: a deadline enters them when it leaves pending. Counted on a copy
-- of the 100k benchmark database: 36.5 -> 33.1 pages written a status change, one at a time.
-- The walks' `"pendingUntil" > @asOf` and `"pendingUntilKnownAt" > @knownAt` imply the WHERE, so
-- SQLite still uses them (test/db/deadline-queries.test.ts checks the plans).
DROP INDEX "Deadline_pendingUntilMonth_dueAt_idx";
CREATE INDEX "Deadline_pendingUntilMonth_dueAt_idx" ON "Deadline"(substr("pendingUntil", 1, 7), "dueAt", "id", "pendingUntil", "pendingFrom", "pendingInexact") WHERE "pendingUntil" IS NOT NULL;
DROP INDEX "Deadline_pendingUntilDay_dueAt_idx";
CREATE INDEX "Deadline_pendingUntilDay_dueAt_idx" ON "Deadline"(substr("pendingUntil", 1, 10), "dueAt", "id", "pendingUntil", "pendingFrom", "pendingInexact") WHERE "pendingUntil" IS NOT NULL;
DROP INDEX "Deadline_pendingUntilKnownMonth_dueAt_idx";
CREATE INDEX "Deadline_pendingUntilKnownMonth_dueAt_idx" ON "Deadline"(substr("pendingUntilKnownAt", 1, 7), "dueAt", "id", "pendingUntilKnownAt", "pendingUntil", "pendingFrom", "pendingKnownFrom", "pendingInexact") WHERE "pendingUntilKnownAt" IS NOT NULL;
