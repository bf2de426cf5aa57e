import { loadConfig } from "../config.ts";
import { migrateDatabase } from "../db/migrate.ts";
import { reportFailure } from "../operator-error.ts";

// `npm run db:migrate`: applies prisma/migrations to DATABASE_URL (created if missing), beside any open connection.
try {
  const config = loadConfig();
  const applied = migrateDatabase(config.databasePath);
  console.log(
    applied.length
      ? `Applied ${applied.length} migration(s) to ${config.databasePath}: ${applied.join(", ")}`
      : `No pending migrations: ${config.databasePath} is up to date`,
  );
} catch (error) {
  reportFailure("db:migrate", error);
}
