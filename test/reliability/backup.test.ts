import { spawnSync } from "node:child_process";
import { writeFileSync } from "node:fs";
import { dirname, join, resolve } from "node:path";
import { describe, expect, it } from "vitest";
import { backupDatabase, checkBackup, restoreDatabase } from "../../src/db/backup.ts";
import { openRawConnection } from "../../src/db/client.ts";
import { startChildServer } from "../helpers/child-server.ts";
import { freshDatabaseFile } from "../helpers/database.ts";

const TOKEN = "backup-test-token-0123456789";
const ROOT = resolve(import.meta.dirname, "../..");

describe("backup and restore", () => {
  it("takes a consistent online backup while the server takes writes, and restores it", async () => {
    const path = freshDatabaseFile();
    const server = await startChildServer(path, TOKEN);
    let stop = false;
    let written = 0;
    const load = (async () => {
      for (let i = 0; !stop; i++) {
        const res = await fetch(`${server.url}/api/topics`, {
          method: "POST",
          headers: { Authorization: `Bearer ${TOKEN}`, "Content-Type": "application/json" },
          body: JSON.stringify({ name: `backup topic ${i}` }),
        });
        if (res.status === 201) written++;
      }
    })();
    await new Promise((r) => setTimeout(r, 300));
    const backupFile = join(dirname(path), "backup.db");
    const cli = spawnSync(process.execPath, ["--import", "tsx", "src/cli/db-backup.ts", backupFile], {
      cwd: ROOT,
      env: { ...process.env, DATABASE_URL: `file:${path}` },
      encoding: "utf8",
    });
    expect(cli.status, cli.stderr).toBe(0);
    await new Promise((r) => setTimeout(r, 200));
    stop = true;
    await load;
    server.process.kill("SIGTERM");
    expect(await server.exited).toBe(0);

    const check = checkBackup(backupFile);
    expect(check.integrity).toBe("ok");
    expect(check.rows.Source).toBe(1);
    const liveTopics = (openRawConnection(path, { readonly: true }).prepare(`SELECT count(*) AS n FROM "Topic"`).get() as { n: number }).n;
    // The copy is one point in the load: between the seeded topics and everything written.
    expect(check.rows.Topic).toBeGreaterThan(5);
    expect(check.rows.Topic).toBeLessThanOrEqual(liveTopics);
    expect(liveTopics).toBe(5 + written);
    console.log(`backup test: ${written} topics written during the run, backup holds ${(check.rows.Topic ?? 0) - 5} of them, integrity ok`);

    const restored = await restoreDatabase(backupFile, path);
    expect(restored.integrity).toBe("ok");
    expect((openRawConnection(path, { readonly: true }).prepare(`SELECT count(*) AS n FROM "Topic"`).get() as { n: number }).n).toBe(check.rows.Topic);
  });

  it("refuses to restore a file that is not a sound Tradewatch database", async () => {
    const path = freshDatabaseFile();
    const junk = join(dirname(path), "junk.db");
    writeFileSync(junk, "not a database at all");
    await expect(restoreDatabase(junk, path)).rejects.toThrow();
    const empty = join(dirname(path), "empty.db");
    openRawConnection(empty).close();
    await expect(restoreDatabase(empty, path)).rejects.toThrow(/not a Tradewatch database/);
    expect(checkBackup(path).integrity).toBe("ok");
    const copy = join(dirname(path), "copy.db");
    expect((await backupDatabase(path, copy)).integrity).toBe("ok");
  });
});
