import { execFile } from "node:child_process";
import { mkdtempSync } from "node:fs";
import { tmpdir } from "node:os";
import { join, resolve } from "node:path";
import { promisify } from "node:util";
import { describe, expect, it } from "vitest";
import { openRawConnection } from "../../src/db/client.ts";

const ROOT = resolve(import.meta.dirname, "../..");
const run = promisify(execFile);

function counts(path: string): Record<string, number> {
  const db = openRawConnection(path, { readonly: true });
  const tables = ["Source", "Actor", "Topic", "Scenario", "Threat", "Condition", "Deadline", "Event", "EventParticipant", "Evidence", "StatusChange"];
  const result = Object.fromEntries(tables.map((t) => [t, (db.prepare(`SELECT count(*) AS n FROM "${t}"`).get() as { n: number }).n]));
  db.close();
  return result;
}

describe("npm run db:migrate && npm run db:seed", () => {
  it("succeeds twice on an empty DATABASE_URL with the same row counts", async () => {
    const path = join(mkdtempSync(join(tmpdir(), "tradewatch-scripts-")), "fresh.db");
    const env = { ...process.env, DATABASE_URL: `file:${path}` };
    const once = async () => {
      await run("npm", ["run", "--silent", "db:migrate"], { cwd: ROOT, env });
      const seeded = await run("npm", ["run", "--silent", "db:seed"], { cwd: ROOT, env });
      expect(seeded.stdout).toContain("Seeded 1 article(s)");
      return counts(path);
    };
    const first = await once();
    expect(first).toMatchObject({ Source: 1, Actor: 11, Threat: 3, Condition: 1, Deadline: 1, Event: 8, StatusChange: 14 });
    expect(await once()).toEqual(first);
  }, 60_000);
});
