import { backupDatabase } from "../db/backup.ts";
import { runWithFileArgument } from "./file-command.ts";

// `npm run db:backup -- <file> [--force]`: an online, consistent copy of DATABASE_URL (the server may keep running).
await runWithFileArgument(
  "db:backup",
  async (file, config, { force }) => {
    const check = await backupDatabase(config.databasePath, file, { force });
    return `Backed up ${config.databasePath} to ${file}: integrity ${check.integrity} ${JSON.stringify(check.rows)}`;
  },
  { acceptsForce: true },
);
