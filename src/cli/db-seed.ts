import { existsSync } from "node:fs";
import { loadConfig } from "../config.ts";
import { openDatabase } from "../db/client.ts";
import { databaseFileError } from "../db/database-file.ts";
import { OperatorError, reportFailure } from "../operator-error.ts";
import { seedAll } from "../seed/run.ts";

// `npm run db:seed`: loads every article in seeds/ and its curated record (idempotent).
try {
  const config = loadConfig();
  if (!existsSync(config.databasePath)) throw new OperatorError(`no database at ${config.databasePath}; run npm run db:migrate first`);
  const db = await openDatabase(config.databasePath).catch((error) => {
    throw databaseFileError(config.databasePath, error);
  });
  try {
    const count = await seedAll(db);
    const rows = await db.prisma.statusChange.count();
    console.log(`Seeded ${count} article(s) into ${config.databasePath} (${rows} history entries).`);
  } finally {
    await db.close();
  }
} catch (error) {
  reportFailure("db:seed", error);
}
