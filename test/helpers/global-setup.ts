import { mkdtempSync, rmSync } from "node:fs";
import { tmpdir } from "node:os";
import { join } from "node:path";
import type { TestProject } from "vitest/node";
import { buildCliIfStale, buildServer } from "../../scripts/build-server.mjs";
import { migrateDatabase } from "../../src/db/migrate.ts";

/** Builds the server as `npm start` does and the command line as `tradewatch` does, and migrates one base database with the committed migrations; each test file copies it. */
export default async function setup(project: TestProject) {
  // The run's temp folder (vitest.config.ts): its builds and base database go there too, and it goes at the end.
  const run = process.env.TRADEWATCH_TEST_RUN_DIR ?? mkdtempSync(join(tmpdir(), "tradewatch-run-"));
  process.env.TMPDIR = run;
  await buildServer();
  await buildCliIfStale();
  const base = join(run, "base.db");
  migrateDatabase(base);
  project.provide("baseDatabasePath", base);
  return () => rmSync(run, { recursive: true, force: true });
}

declare module "vitest" {
  export interface ProvidedContext {
    baseDatabasePath: string;
  }
}
