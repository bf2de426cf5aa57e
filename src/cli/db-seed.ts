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
    const before = await db.prisma.statusChange.count();
    const count = await seedAll(db);
    const written = (await db.prisma.statusChange.count()) - before;
    // Seeding is idempotent: say whether this run wrote anything.
    console.log(
      written > 0
        ? `Seeded ${count} article(s) into ${config.databasePath}: ${written} history entries written.`
        : `${config.databasePath} already holds the ${count} seeded article(s): nothing written.`,
    );
  } finally {
    await db.close();
  }
} catch (error) {
  reportFailure("db:seed", error);
}
