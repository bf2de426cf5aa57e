-- The entries that make a record's cached status not the whole answer: a lapse by its terms, a
-- change of dates or terms, a status that carries values (statusesAt in
-- src/db/sql/record-states.ts asks for them on every read of a record). Partial: about 1% of
-- the history at 1M deadlines, so the question is a probe of a small index instead of a read of
-- every entry of the record; a plain status change does not touch it. Not declared in
-- schema.prisma, which cannot say WHERE; the WHERE must stay the query's term, word for word.
CREATE INDEX "StatusChange_beyond_plain_status_idx" ON "StatusChange"("recordKind", "recordId")
  WHERE "byTerms" = 1 OR "change" <> 'status' OR "values" IS NOT NULL;

-- A condition's deadlines are mostly its threat's too: a threat's page reads its own, then only
-- the condition's others, told apart inside this index (threat-detail.ts).
-- DropIndex
DROP INDEX "Deadline_conditionId_idx";

-- CreateIndex
CREATE INDEX "Deadline_conditionId_threatId_idx" ON "Deadline"("conditionId", "threatId");
