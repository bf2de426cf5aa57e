import type Database from "better-sqlite3";

/** The database's key for signing cursors (made by its migration, decision 024). */
export function cursorKeyOf(reader: Database.Database): Buffer {
  const secret = reader.prepare('SELECT "secret" FROM "CursorKey" WHERE "id" = 1').pluck().get() as string | undefined;
  if (!secret) throw new Error("The database has no cursor key: its migrations have not all been applied");
  return Buffer.from(secret, "hex");
}
