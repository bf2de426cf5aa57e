-- No statement reads these: a list's status filter is evaluated at the read time from the history
-- (decision 007), never through the cached column. Each cost an index page a status change (decision 015).
-- DropIndex
DROP INDEX "Scenario_status_idx";

-- DropIndex
DROP INDEX "Threat_status_idx";

-- DropIndex
DROP INDEX "Condition_status_idx";

-- DropIndex
DROP INDEX "Agreement_status_idx";

-- DropIndex
DROP INDEX "Commitment_status_idx";

