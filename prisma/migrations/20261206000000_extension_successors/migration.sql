-- An extended deadline may have more than one successor row over time: an extension retracted keeps
-- its successor (its creation retracted, with its history), and the extension recorded instead creates
-- another (a second one violated the unique index: 500). Reads show the successor that exists then.
DROP INDEX "Deadline_extendsId_key";
CREATE INDEX "Deadline_extendsId_idx" ON "Deadline"("extendsId");
