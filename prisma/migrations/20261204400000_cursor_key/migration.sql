-- The key that signs record-history cursors (decision 024): random per database, made once here,
-- kept by backups and restores, so a cursor stays valid across them and no other database's fits.
CREATE TABLE "CursorKey" (
    "id" INTEGER NOT NULL PRIMARY KEY AUTOINCREMENT,
    "secret" TEXT NOT NULL
);
INSERT INTO "CursorKey" ("id", "secret") VALUES (1, lower(hex(randomblob(32))));
