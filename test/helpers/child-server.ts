import { type ChildProcess, spawn } from "node:child_process";
import { join, resolve } from "node:path";
import { SERVER_BUNDLE, SERVER_NODE_FLAGS } from "../../scripts/build-server.mjs";

const ROOT = resolve(import.meta.dirname, "../..");

/** Node's arguments that run the server as `npm start` does: the built bundle (test/helpers/global-setup.ts builds it once). */
export const SERVER_ARGS = [...SERVER_NODE_FLAGS, join(ROOT, SERVER_BUNDLE)];

export interface ChildServer {
  url: string;
  process: ChildProcess;
  /** Resolves with the exit code (null when killed by a signal). */
  exited: Promise<number | null>;
  /** Everything it has printed so far (stdout and stderr). */
  output(): string;
}

/** Starts the real server (as `npm start` runs it) as a child process on a free port. */
export function startChildServer(databasePath: string, token: string, env: Record<string, string> = {}): Promise<ChildServer> {
  const child = spawn(process.execPath, SERVER_ARGS, {
    cwd: ROOT,
    env: { ...process.env, DATABASE_URL: `file:${databasePath}`, PORT: "0", HOST: "127.0.0.1", TRADEWATCH_TOKEN: token, LOG_LEVEL: "warn", ...env },
    stdio: ["ignore", "pipe", "pipe"],
  });
  const exited = new Promise<number | null>((done) => child.on("exit", (code) => done(code)));
  return new Promise((resolvePromise, reject) => {
    let output = "";
    const timer = setTimeout(() => reject(new Error(`server did not start:\n${output}`)), 30_000);
    const onData = (chunk: Buffer) => {
      output += chunk.toString();
      const m = /running at (http:\/\/[^/\s]+)\//.exec(output);
      if (m) {
        clearTimeout(timer);
        resolvePromise({ url: m[1]!, process: child, exited, output: () => output });
      }
    };
    child.stdout.on("data", onData);
    child.stderr.on("data", onData);
    child.on("exit", (code) => reject(new Error(`server exited with ${code} before starting:\n${output}`)));
  });
}
