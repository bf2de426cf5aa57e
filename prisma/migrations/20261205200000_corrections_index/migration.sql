-- Corrections of facts recorded wrong (a condition's effect or awaited actor, a commitment's kind) are
-- history entries with change = 'correction' (decision 027): few, and read at a past knownAt only
-- (which conditions once waited on an actor). A partial index holds just them; StatusChange is not rebuilt.
CREATE INDEX "StatusChange_corrections_idx" ON "StatusChange"("recordKind", "recordId") WHERE "change" = 'correction';
