-- Where the cached status of a scenario, threat or condition also answers reads in the past and as
-- known earlier (src/domain/history.ts statusCacheAt): the pending-deadlines view shows each
-- deadline's links with their status then without reading their histories. Filled from each
-- record's history by the app's own rule right after this script (src/db/migrate.ts BACKFILLS).
ALTER TABLE "Scenario" ADD COLUMN "statusFrom" DATETIME;
ALTER TABLE "Scenario" ADD COLUMN "statusKnownFrom" DATETIME;
ALTER TABLE "Threat" ADD COLUMN "statusFrom" DATETIME;
ALTER TABLE "Threat" ADD COLUMN "statusKnownFrom" DATETIME;
ALTER TABLE "Condition" ADD COLUMN "statusFrom" DATETIME;
ALTER TABLE "Condition" ADD COLUMN "statusKnownFrom" DATETIME;
