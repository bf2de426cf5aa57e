-- A source's quotes in the order of its text: the desk's source page reads a page of them, not all.
CREATE INDEX "Evidence_sourceId_startOffset_endOffset_id_idx" ON "Evidence"("sourceId", "startOffset", "endOffset" DESC, "id");
