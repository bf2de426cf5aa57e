-- REPLACE INTO / INSERT OR REPLACE would delete the entry with the same seq and write a new one,
-- without firing the no-delete trigger (unless recursive_triggers is on for that connection).
-- Refusing an existing seq before the insert holds whatever the connection's pragmas.
CREATE TRIGGER "StatusChange_no_replace" BEFORE INSERT ON "StatusChange"
WHEN NEW."seq" IS NOT NULL AND EXISTS (SELECT 1 FROM "StatusChange" WHERE "seq" = NEW."seq")
BEGIN SELECT RAISE(ABORT, 'StatusChange is append-only'); END;
