import { resolve } from "node:path";
import { parseArgs } from "node:util";
import { type Config, loadConfig } from "../config.ts";
import { reportFailure } from "../operator-error.ts";

/**
 * Runs a database script that takes one file argument (`npm run db:backup -- <file> [--force]`):
 * usage on a missing argument or an unknown option (exit 2), one line on failure (exit 1).
 */
export async function runWithFileArgument(
  script: string,
  work: (file: string, config: Config, options: { force: boolean }) => Promise<string>,
  options: { acceptsForce?: boolean } = {},
): Promise<void> {
  const usage = `Usage: npm run ${script} -- <file>${options.acceptsForce ? " [--force]" : ""}`;
  let parsed: ReturnType<typeof parseArgs<{ options: { force: { type: "boolean" } }; allowPositionals: true }>>;
  try {
    parsed = parseArgs({ args: process.argv.slice(2), options: { force: { type: "boolean" } }, allowPositionals: true });
  } catch (error) {
    console.error(`${script}: ${(error as Error).message}\n${usage}`);
    process.exit(2);
  }
  const [file, ...extra] = parsed.positionals;
  if (!file || extra.length || (parsed.values.force && !options.acceptsForce)) {
    console.error(usage);
    process.exit(2);
  }
  try {
    console.log(await work(resolve(file), loadConfig(), { force: parsed.values.force ?? false }));
  } catch (error) {
    reportFailure(script, error);
  }
}
