import { loadConfig } from "../config.ts";
import { migrateDeploy } from "../db/migrate.ts";

// `npm run db:migrate`: applies prisma/migrations to DATABASE_URL (created if missing).
const config = loadConfig();
migrateDeploy(`file:${config.databasePath}`);
console.log(`Migrations applied to ${config.databasePath}`);
