import { resolve } from "node:path";
import { loadConfig } from "../config.ts";
import { backupDatabase } from "../db/backup.ts";

// `npm run db:backup -- <file>`: an online, consistent copy of DATABASE_URL (the server may keep running).
const target = process.argv[2];
if (!target) {
  console.error("Usage: npm run db:backup -- <file>");
  process.exit(2);
}
const config = loadConfig();
try {
  const check = await backupDatabase(config.databasePath, resolve(target));
  console.log(`Backed up ${config.databasePath} to ${resolve(target)}: integrity ${check.integrity}`, check.rows);
} catch (e) {
  console.error((e as Error).message);
  process.exit(1);
}
