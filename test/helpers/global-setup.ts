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
  // Every temp file of the run (each test's database, the servers and scripts it starts) goes
  // under one folder, removed at the end: a run left hundreds of databases in /tmp, and CI
  // machines filled their disks. TMPDIR is inherited by the test workers and their children.
  const run = mkdtempSync(join(tmpdir(), "tradewatch-run-"));
  process.env.TMPDIR = run;
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
