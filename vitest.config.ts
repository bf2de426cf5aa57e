import { mkdtempSync } from "node:fs";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { defineConfig } from "vitest/config";

// Every temp file of a run (each test's database, the servers and scripts it starts) goes under
// one folder that the global setup removes at the end: runs had left thousands of databases in
// /tmp and filled a machine's disk. TMPDIR reaches the test workers (test.env) and their children.
const runDir = process.env.TRADEWATCH_TEST_RUN_DIR ?? mkdtempSync(join(tmpdir(), "tradewatch-run-"));
process.env.TRADEWATCH_TEST_RUN_DIR = runDir;

export default defineConfig({
  test: {
    include: ["test/**/*.test.ts", "test/**/*.test.tsx"],
    globalSetup: ["test/helpers/global-setup.ts"],
    env: { TMPDIR: runDir },
    testTimeout: 30_000,
    hookTimeout: 60_000,
    // Each test file has its own SQLite file; two workers match this 2-core machine.
    maxWorkers: 2,
  },
});
