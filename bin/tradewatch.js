#!/usr/bin/env node
// `npx tradewatch …`: the command line, built into plain JavaScript when its sources changed
// (scripts/build-server.mjs), then run.
import { buildCliIfStale, CLI_BUNDLE } from "../scripts/build-server.mjs";

try {
  await buildCliIfStale();
} catch (e) {
  // esbuild has printed each error with its file and line.
  process.stderr.write(`tradewatch: the command line could not be built (${e.errors?.length ?? 1} error(s) above)\n`);
  process.exit(1);
}
// Stack traces name the TypeScript lines, as the server's do.
process.setSourceMapsEnabled(true);
await import(new URL(`../${CLI_BUNDLE}`, import.meta.url).href);
