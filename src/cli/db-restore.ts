import { restoreDatabase } from "../db/backup.ts";
import { runWithFileArgument } from "./file-command.ts";

// `npm run db:restore -- <file>`: checks a backup (integrity, tables) and copies it over DATABASE_URL. Stop the server first.
await runWithFileArgument("db:restore", async (file, config) => {
  const check = await restoreDatabase(file, config.databasePath);
  return `Restored ${file} into ${config.databasePath}: integrity ${check.integrity} ${JSON.stringify(check.rows)}`;
});
