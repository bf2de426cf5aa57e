import { restoreDatabase } from "../db/backup.ts";
import { runWithFileArgument } from "./file-command.ts";

// `npm run db:restore -- <file>`: checks a backup and puts it in place of DATABASE_URL, keeping the replaced file; refuses while the database is in use.
await runWithFileArgument("db:restore", async (file, config) => {
  const result = await restoreDatabase(file, config.databasePath);
  const kept = result.safetyCopy ? `; the replaced database is kept in ${result.safetyCopy}` : "";
  return `Restored ${file} into ${config.databasePath}: integrity ${result.integrity} ${JSON.stringify(result.rows)}${kept}`;
});
