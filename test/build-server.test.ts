import { spawn } from "node:child_process";
import { cpSync, existsSync, mkdtempSync, readdirSync, readFileSync, rmSync, statSync, utimesSync, writeFileSync } from "node:fs";
import { tmpdir } from "node:os";
import { join, resolve } from "node:path";
import { setImmediate as turn } from "node:timers/promises";
import { describe, expect, it } from "vitest";
import { buildCliIfStale, buildServer, CLI_BUNDLE } from "../scripts/build-server.mjs";

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

describe("the command line's build", () => {
  it("is built when missing, reused while no source changed, and built again when one changed or went away", async () => {
    const root = mkdtempSync(join(tmpdir(), "tradewatch-cli-build-"));
    cpSync(join(ROOT, "src"), join(root, "src"), { recursive: true });
    // Copied a minute ago, not within the millisecond the first build begins in.
    const copied = new Date(Date.now() - 60_000);
    for (const file of readdirSync(join(root, "src"), { recursive: true, encoding: "utf8" })) utimesSync(join(root, "src", file), copied, copied);
    const built = () => statSync(join(root, CLI_BUNDLE)).mtimeMs;
    await buildCliIfStale(root);
    const first = built();
    expect(readFileSync(join(root, CLI_BUNDLE), "utf8")).toContain("tradewatch deadlines");
    await buildCliIfStale(root);
    expect(built()).toBe(first);
    // A source newer than the build (as after an edit or a checkout): built again.
    const inputs = join(root, "dist/tradewatch.inputs.json");
    const record = JSON.parse(readFileSync(inputs, "utf8"));
    expect(record.inputs).toContain("src/cli/users.ts");
    writeFileSync(inputs, JSON.stringify({ ...record, began: statSync(join(root, "src/cli/users.ts")).mtimeMs - 1 }));
    await buildCliIfStale(root);
    const second = built();
    expect(second).toBeGreaterThan(first);
    await buildCliIfStale(root);
    expect(built()).toBe(second);
    // A source it was built from is gone: built again (here the build itself then fails, as it should).
    rmSync(join(root, "src/cli/users.ts"));
    await expect(buildCliIfStale(root)).rejects.toThrow(/users/);
  });
});
