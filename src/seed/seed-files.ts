import { readdirSync } from "node:fs";
import { join, resolve } from "node:path";

/** The folder of articles and their curated records. */
export const SEEDS_DIR = resolve(import.meta.dirname, "../../seeds");

/** Every curated record file in a seeds folder, in name order. */
export function seedRecordFiles(dir = SEEDS_DIR): string[] {
  return readdirSync(dir)
    .filter((f) => f.endsWith(".record.json"))
    .sort()
    .map((f) => join(dir, f));
}
