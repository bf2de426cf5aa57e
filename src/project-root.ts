import { existsSync } from "node:fs";
import { dirname, join } from "node:path";

/**
 * The project's folder (the one holding package.json), found from this module's place: the same
 * answer in the source tree (src/…) and in the built server (dist/server.mjs, decision 017).
 */
function projectRoot(from: string): string {
  for (let dir = from; ; dir = dirname(dir)) {
    if (existsSync(join(dir, "package.json"))) return dir;
    if (dirname(dir) === dir) throw new Error(`No package.json above ${from}: run Tradewatch from its project folder.`);
  }
}

export const PROJECT_ROOT = projectRoot(import.meta.dirname);
