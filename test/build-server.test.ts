import { spawn } from "node:child_process";
import { existsSync, mkdtempSync, readFileSync } from "node:fs";
import { tmpdir } from "node:os";
import { join, resolve } from "node:path";
import { setImmediate as turn } from "node:timers/promises";
import { describe, expect, it } from "vitest";
import { buildServer } from "../scripts/build-server.mjs";

const ROOT = resolve(import.meta.dirname, "..");

describe("the server's build", () => {
  it("replaces the built file whole: a server starting while another npm start builds never loads it empty or cut short", async () => {
    const outfile = join(mkdtempSync(join(tmpdir(), "tradewatch-build-")), "server.mjs");
    await buildServer(ROOT, outfile);
    const whole = readFileSync(outfile, "utf8");
    expect(whole).toMatch(/\/\/# sourceMappingURL=server\.mjs\.map\n$/);
    expect(existsSync(`${outfile}.map`)).toBe(true);
    // Another process builds it again and again (the same sources: the same bytes) while this one reads it.
    const builds = 8;
    const builder = spawn(
      process.execPath,
      [
        "--input-type=module",
        "-e",
        `const { buildServer } = await import(process.argv[1]); for (let i = 0; i < ${builds}; i++) await buildServer(process.argv[2], process.argv[3]);`,
        join(ROOT, "scripts/build-server.mjs"),
        ROOT,
        outfile,
      ],
      { stdio: ["ignore", "ignore", "inherit"] },
    );
    let building = true;
    const done = new Promise<number | null>((finished) =>
      builder.on("exit", (code) => {
        building = false;
        finished(code);
      }),
    );
    const seen = new Map<number, number>();
    while (building) {
      const length = readFileSync(outfile, "utf8").length;
      seen.set(length, (seen.get(length) ?? 0) + 1);
      await turn();
    }
    expect(await done).toBe(0);
    expect([...seen.keys()]).toEqual([whole.length]);
  });
});
