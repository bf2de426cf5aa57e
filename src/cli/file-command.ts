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
  const { file, force } = fileArguments(script, usage, options.acceptsForce ?? false);
  try {
    console.log(await work(resolve(file), loadConfig(), { force }));
  } catch (error) {
    reportFailure(script, error);
  }
}

/** `<file> [--force]` from the command line, or the usage line and exit 2. */
function fileArguments(script: string, usage: string, acceptsForce: boolean): { file: string; force: boolean } {
  try {
    const { values, positionals } = parseArgs({ args: process.argv.slice(2), options: { force: { type: "boolean" } }, allowPositionals: true });
    const [file, ...extra] = positionals;
    if (file && !extra.length && (acceptsForce || !values.force)) return { file, force: values.force ?? false };
  } catch (error) {
    console.error(`${script}: ${(error as Error).message}`);
  }
  console.error(usage);
  process.exit(2);
}
