import { loadConfig } from "../config.ts";
import { openDatabase } from "../db/client.ts";
import { seedAll } from "../seed/run.ts";

// `npm run db:seed`: loads every article in seeds/ and its curated record (idempotent).
const config = loadConfig();
const db = await openDatabase(config.databasePath);
try {
  const count = await seedAll(db);
  const rows = await db.prisma.statusChange.count();
  console.log(`Seeded ${count} article(s) into ${config.databasePath} (${rows} history entries).`);
} catch (e) {
  console.error((e as Error).message);
  process.exitCode = 1;
} finally {
  await db.close();
}
