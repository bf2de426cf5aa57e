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
    const once = async (says: string) => {
      await run("npm", ["run", "--silent", "db:migrate"], { cwd: ROOT, env });
      const seeded = await run("npm", ["run", "--silent", "db:seed"], { cwd: ROOT, env });
      expect(seeded.stdout).toContain(says);
      return counts(path);
    };
    const first = await once("Seeded 1 article(s)");
    expect(first).toMatchObject({ Source: 1, Actor: 11, Threat: 3, Condition: 1, Deadline: 1, Event: 8, StatusChange: 14 });
    // The second run says it wrote nothing, and did not.
    expect(await once("already holds the 1 seeded article(s): nothing written")).toEqual(first);
  }, 60_000);
});
