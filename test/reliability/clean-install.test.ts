import { execFile } from "node:child_process";
import { copyFileSync, mkdtempSync, readFileSync } from "node:fs";
import { tmpdir } from "node:os";
import { join, resolve } from "node:path";
import { promisify } from "node:util";
import { describe, expect, it } from "vitest";

const ROOT = resolve(import.meta.dirname, "../..");
const run = promisify(execFile);

describe("npm install on a fresh clone", () => {
  it("leaves package-lock.json as committed (the lock agrees with package.json)", async () => {
    // npm rewrites the lock's root entry from package.json on every install; doing only that
    // step, offline, in a scratch folder shows whether a fresh clone's install would change it.
    const dir = mkdtempSync(join(tmpdir(), "tradewatch-lock-"));
    for (const file of ["package.json", "package-lock.json"]) copyFileSync(join(ROOT, file), join(dir, file));
    await run("npm", ["install", "--package-lock-only", "--ignore-scripts", "--offline", "--no-audit", "--no-fund", "--cache", join(dir, "cache")], {
      cwd: dir,
    });
    expect(readFileSync(join(dir, "package-lock.json"), "utf8")).toBe(readFileSync(join(ROOT, "package-lock.json"), "utf8"));
  });
});
