-- A scenario's threats, own deadlines and events in the order its detail, its page and its calendar
-- show them, and a record's quotes per side in the scenario page's order: each reads a page, not all
-- of them sorted (decision 026). The new indexes lead with the columns of the three they replace.
DROP INDEX "Threat_scenarioId_idx";
DROP INDEX "Deadline_scenarioId_id_idx";
DROP INDEX "Event_scenarioId_idx";
CREATE INDEX "Threat_scenarioId_id_idx" ON "Threat"("scenarioId", "id");
CREATE INDEX "Deadline_scenarioId_dueAt_id_idx" ON "Deadline"("scenarioId", "dueAt", "id");
CREATE INDEX "Event_scenarioId_startsAt_id_idx" ON "Event"("scenarioId", "startsAt", "id");
CREATE INDEX "Evidence_recordKind_recordId_stance_sourceId_startOffset_id_idx" ON "Evidence"("recordKind", "recordId", "stance", "sourceId", "startOffset", "id");
