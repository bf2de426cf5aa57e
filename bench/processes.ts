import { type ChildProcess, spawn } from "node:child_process";
import { readFileSync } from "node:fs";
import { resolve } from "node:path";

export const ROOT = resolve(import.meta.dirname, "..");

export interface Running {
  url: string;
  child: ChildProcess;
  startedMs: number;
  stop(): Promise<void>;
}

/** Spawns a command that prints "... at http://host:port/" and waits until it does. */
export function spawnServer(command: string, args: string[], env: Record<string, string>, pattern = /at (http:\/\/[^/\s]+)\//): Promise<Running> {
  const started = performance.now();
  const child = spawn(command, args, { cwd: ROOT, env: { ...process.env, ...env }, stdio: ["ignore", "pipe", "pipe"], detached: true });
  let output = "";
  return new Promise((done, fail) => {
    const timer = setTimeout(() => fail(new Error(`no start within 60 s:\n${output}`)), 60_000);
    const onData = (chunk: Buffer) => {
      if (output.length < 10_000) output += chunk.toString();
      const m = pattern.exec(output);
      if (m) {
        clearTimeout(timer);
        // From here the output is only drained: scanning each log line (a request's) took this
        // process's CPU, which the load generator shares, and counted against the server measured.
        child.stdout!.off("data", onData).resume();
        child.stderr!.off("data", onData).resume();
        done({
          url: m[1]!,
          child,
          startedMs: performance.now() - started,
          stop: () =>
            new Promise((stopped) => {
              child.once("exit", () => stopped());
              try {
                process.kill(-child.pid!, "SIGTERM");
              } catch {
                stopped();
              }
            }),
        });
      }
    };
    child.stdout!.on("data", onData);
    child.stderr!.on("data", onData);
    child.once("exit", (code) => fail(new Error(`exited ${code}:\n${output}`)));
  });
}

/** Peak resident set size of a process so far (VmHWM), in MB. */
export function peakRssMb(pid: number): number {
  const status = readFileSync(`/proc/${pid}/status`, "utf8");
  const kb = Number(/VmHWM:\s+(\d+) kB/.exec(status)?.[1] ?? 0);
  return Math.round(kb / 102.4) / 10;
}

/** CPU time a process has used so far (user + system, all its threads), in ms: /proc/<pid>/stat, in clock ticks of 10 ms. */
export function cpuMs(pid: number): number {
  const fields = readFileSync(`/proc/${pid}/stat`, "utf8").split(") ")[1]!.split(" ");
  return (Number(fields[11]) + Number(fields[12])) * 10;
}

/** The pid of the node process serving: the child itself, or its descendant when started through npm. */
export function serverPid(child: ChildProcess): number {
  return child.pid!;
}

/**
 * Waits until a process has no child processes left (Linux): the server checks its database file
 * in a child at start-up (a 2 GB file takes about 6 s), and the cases measure serving, not that.
 */
export async function childrenDone(pid: number, timeoutMs = 60_000): Promise<number> {
  const started = performance.now();
  const children = () => {
    try {
      return readFileSync(`/proc/${pid}/task/${pid}/children`, "utf8").trim();
    } catch {
      return "";
    }
  };
  while (children() !== "" && performance.now() - started < timeoutMs) await new Promise((r) => setTimeout(r, 100));
  return Math.round(performance.now() - started);
}
