-- Issue 11: sources may be citations without text (text and sha256 become optional, a kind and
-- a copy-of link are added); evidence gains a speaker, a stance and a verification, and its
-- offsets become optional (an unverified quote has none); actors gain aliases for the intake.
-- Source and Evidence are rebuilt (SQLite cannot drop NOT NULL); StatusChange, which refers to
-- both, is not touched, so its append-only triggers stay.
-- AlterTable
ALTER TABLE "Actor" ADD COLUMN "aliases" TEXT;

-- RedefineTables
PRAGMA defer_foreign_keys=ON;
PRAGMA foreign_keys=OFF;
CREATE TABLE "new_Source" (
    "id" TEXT NOT NULL PRIMARY KEY,
    "title" TEXT NOT NULL,
    "publisher" TEXT NOT NULL,
    "url" TEXT,
    "kind" TEXT NOT NULL DEFAULT 'press',
    "publishedAt" DATETIME NOT NULL,
    "publishedAtInferred" BOOLEAN NOT NULL DEFAULT false,
    "text" TEXT,
    "sha256" TEXT,
    "copyOfId" TEXT,
    "disclaimer" TEXT,
    "createdAt" DATETIME NOT NULL,
    CONSTRAINT "Source_copyOfId_fkey" FOREIGN KEY ("copyOfId") REFERENCES "Source" ("id") ON DELETE SET NULL ON UPDATE CASCADE
);
INSERT INTO "new_Source" ("createdAt", "disclaimer", "id", "publishedAt", "publishedAtInferred", "publisher", "sha256", "text", "title", "url") SELECT "createdAt", "disclaimer", "id", "publishedAt", "publishedAtInferred", "publisher", "sha256", "text", "title", "url" FROM "Source";
DROP TABLE "Source";
ALTER TABLE "new_Source" RENAME TO "Source";
CREATE UNIQUE INDEX "Source_sha256_key" ON "Source"("sha256");
CREATE INDEX "Source_copyOfId_idx" ON "Source"("copyOfId");
CREATE TABLE "new_Evidence" (
    "id" TEXT NOT NULL PRIMARY KEY,
    "sourceId" TEXT NOT NULL,
    "quote" TEXT NOT NULL,
    "startOffset" INTEGER,
    "endOffset" INTEGER,
    "verification" TEXT NOT NULL DEFAULT 'verbatim',
    "speakerId" TEXT,
    "stance" TEXT NOT NULL DEFAULT 'supports',
    "recordKind" TEXT NOT NULL,
    "recordId" TEXT NOT NULL,
    "createdAt" DATETIME NOT NULL,
    CONSTRAINT "Evidence_sourceId_fkey" FOREIGN KEY ("sourceId") REFERENCES "Source" ("id") ON DELETE RESTRICT ON UPDATE CASCADE,
    CONSTRAINT "Evidence_speakerId_fkey" FOREIGN KEY ("speakerId") REFERENCES "Actor" ("id") ON DELETE SET NULL ON UPDATE CASCADE
);
INSERT INTO "new_Evidence" ("createdAt", "endOffset", "id", "quote", "recordId", "recordKind", "sourceId", "startOffset") SELECT "createdAt", "endOffset", "id", "quote", "recordId", "recordKind", "sourceId", "startOffset" FROM "Evidence";
DROP TABLE "Evidence";
ALTER TABLE "new_Evidence" RENAME TO "Evidence";
CREATE INDEX "Evidence_recordKind_recordId_idx" ON "Evidence"("recordKind", "recordId");
CREATE INDEX "Evidence_speakerId_idx" ON "Evidence"("speakerId");
CREATE UNIQUE INDEX "Evidence_sourceId_recordKind_recordId_startOffset_endOffset_key" ON "Evidence"("sourceId", "recordKind", "recordId", "startOffset", "endOffset");
PRAGMA foreign_keys=ON;
PRAGMA defer_foreign_keys=OFF;

