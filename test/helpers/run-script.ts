import { execFile } from "node:child_process";
import { resolve } from "node:path";

export const ROOT = resolve(import.meta.dirname, "../..");

export interface ScriptResult {
  code: number;
  out: string;
  err: string;
  ms: number;
}

/**
 * Runs a command in the project folder as a child process, asynchronously (a server or a
 * connection this test holds stays responsive), and never throws on a non-zero exit.
 */
export function runCommand(command: string, args: string[], env: Record<string, string> = {}): Promise<ScriptResult> {
  const started = performance.now();
  return new Promise((done) => {
    execFile(command, args, { cwd: ROOT, env: { ...process.env, ...env }, timeout: 120_000 }, (error, stdout, stderr) =>
      done({ code: error ? Number(error.code ?? 1) : 0, out: stdout, err: stderr, ms: Math.round(performance.now() - started) }),
    );
  });
}

/** `npm run --silent <script> -- <args>` against the database file at `path`. */
export function npmScript(script: string, path: string, args: string[] = [], env: Record<string, string> = {}): Promise<ScriptResult> {
  return runCommand("npm", ["run", "--silent", script, ...(args.length ? ["--", ...args] : [])], { DATABASE_URL: `file:${path}`, ...env });
}
