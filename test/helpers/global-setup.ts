import { mkdtempSync, rmSync } from "node:fs";
import { tmpdir } from "node:os";
import { join } from "node:path";
import type { TestProject } from "vitest/node";
import { buildCliIfStale, buildServer } from "../../scripts/build-server.mjs";
import { migrateDatabase } from "../../src/db/migrate.ts";

/** Builds the server as `npm start` does and the command line as `tradewatch` does, and migrates one base database with the committed migrations; each test file copies it. */
export default async function setup(project: TestProject) {
  await buildServer();
  await buildCliIfStale();
  const dir = mkdtempSync(join(tmpdir(), "tradewatch-base-"));
  const base = join(dir, "base.db");
  migrateDatabase(base);
  project.provide("baseDatabasePath", base);
  return () => rmSync(dir, { recursive: true, force: true });
}

declare module "vitest" {
  export interface ProvidedContext {
    baseDatabasePath: string;
  }
}
