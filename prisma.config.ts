import { PrismaBetterSQLite3 } from "@prisma/adapter-better-sqlite3";
import { defineConfig } from "prisma/config";
import { databasePathOf } from "./src/config.ts";
import { ensureDatabaseFile } from "./src/db/database-file.ts";

// Prisma 6.19's JS/WASM schema engine: migrations run without a downloaded native binary.
const url = process.env.DATABASE_URL ?? "file:./data/tradewatch.db";

export default defineConfig({
  experimental: { adapter: true },
  engine: "js",
  adapter: async () => {
    const path = databasePathOf(url);
    ensureDatabaseFile(path);
    return new PrismaBetterSQLite3({ url: `file:${path}` });
  },
  schema: "prisma/schema.prisma",
  migrations: { path: "prisma/migrations" },
});
