import { resolve } from "node:path";
import { type Config, loadConfig } from "../config.ts";

/**
 * Runs a database script that takes one file argument (`npm run db:backup -- <file>`):
 * usage on a missing argument (exit 2), the error's message on failure (exit 1).
 */
export async function runWithFileArgument(script: string, work: (file: string, config: Config) => Promise<string>): Promise<void> {
  const arg = process.argv[2];
  if (!arg) {
    console.error(`Usage: npm run ${script} -- <file>`);
    process.exit(2);
  }
  try {
    console.log(await work(resolve(arg), loadConfig()));
  } catch (e) {
    console.error((e as Error).message);
    process.exit(1);
  }
}
