import { resolve } from "node:path";
import { loadConfig } from "../config.ts";
import { restoreDatabase } from "../db/backup.ts";

// `npm run db:restore -- <file>`: checks a backup (integrity, tables) and copies it over DATABASE_URL. Stop the server first.
const source = process.argv[2];
if (!source) {
  console.error("Usage: npm run db:restore -- <file>");
  process.exit(2);
}
const config = loadConfig();
try {
  const check = await restoreDatabase(resolve(source), config.databasePath);
  console.log(`Restored ${resolve(source)} into ${config.databasePath}: integrity ${check.integrity}`, check.rows);
} catch (e) {
  console.error((e as Error).message);
  process.exit(1);
}
