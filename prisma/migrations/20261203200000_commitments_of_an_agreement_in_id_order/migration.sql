-- An agreement's commitments are read in id order, a page at a time: embedded in the agreement
-- (its first 100) and listed by `GET /api/commitments?agreement=…`. On (agreementId) alone SQLite
-- read every commitment of the agreement to sort them; on (agreementId, id) a page reads its rows.

-- DropIndex
DROP INDEX "Commitment_agreementId_idx";

-- CreateIndex
CREATE INDEX "Commitment_agreementId_id_idx" ON "Commitment"("agreementId", "id");
