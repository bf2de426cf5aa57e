import { readdirSync } from "node:fs";
import { join } from "node:path";
import { PROJECT_ROOT } from "../project-root.ts";

/** The folder of articles and their curated records. */
export const SEEDS_DIR = join(PROJECT_ROOT, "seeds");

/** Every curated record file in a seeds folder, in name order. */
export function seedRecordFiles(dir = SEEDS_DIR): string[] {
  return readdirSync(dir)
    .filter((f) => f.endsWith(".record.json"))
    .sort()
    .map((f) => join(dir, f));
}
