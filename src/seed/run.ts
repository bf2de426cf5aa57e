import type { Prisma, TrackerDatabase } from "../db/client.ts";
import { loadSeed, planSeedFromFile } from "./load.ts";
import { seedRecordFiles } from "./seed-files.ts";

/** Checks every seed file first, then loads each in its own transaction; returns how many were loaded. */
export async function seedAll(db: TrackerDatabase, dir?: string): Promise<number> {
  const plans = seedRecordFiles(dir).map(planSeedFromFile);
  for (const plan of plans) await loadSeed(db, plan);
  return plans.length;
}

/** Whether the database holds no article yet (first start). */
export async function isEmpty(prisma: Prisma): Promise<boolean> {
  return (await prisma.source.count()) === 0;
}
