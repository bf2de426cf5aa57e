import { spawnSync } from "node:child_process";
import { createHash } from "node:crypto";
import { existsSync, mkdtempSync, readFileSync, statSync, writeFileSync } from "node:fs";
import { tmpdir } from "node:os";
import { dirname, join, resolve } from "node:path";
import { describe, expect, it } from "vitest";
import { backupDatabase, checkBackup, restoreDatabase } from "../../src/db/backup.ts";
import { openRawConnection } from "../../src/db/client.ts";
import { startChildServer } from "../helpers/child-server.ts";
import { freshDatabaseFile } from "../helpers/database.ts";
import { npmScript } from "../helpers/run-script.ts";

const TOKEN = "backup-test-token-0123456789";
const ROOT = resolve(import.meta.dirname, "../..");

describe("backup and restore", () => {
  const topics = (path: string) => {
    const db = openRawConnection(path, { readonly: true });
    const names = (db.prepare(`SELECT name FROM "Topic" ORDER BY name`).all() as { name: string }[]).map((t) => t.name);
    db.close();
    return names;
  };
  const addTopic = async (url: string, name: string) =>
    (
      await fetch(`${url}/api/topics`, {
        method: "POST",
        headers: { Authorization: `Bearer ${TOKEN}`, "Content-Type": "application/json" },
        body: JSON.stringify({ name }),
      })
    ).status;
  const mode = (file: string) => (statSync(file).mode & 0o777).toString(8);

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
    const liveTopics = topics(path).length;
    // The copy is one point in the load: between the seeded topics and everything written.
    expect(check.rows.Topic).toBeGreaterThan(5);
    expect(check.rows.Topic).toBeLessThanOrEqual(liveTopics);
    expect(liveTopics).toBe(5 + written);
    console.log(`backup test: ${written} topics written during the run, backup holds ${(check.rows.Topic ?? 0) - 5} of them, integrity ok`);

    const restored = await restoreDatabase(backupFile, path);
    expect(restored.integrity).toBe("ok");
    expect(topics(path)).toHaveLength(check.rows.Topic!);
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

  it("db:restore refuses while a server uses the database (naming its pid), then restores and keeps a dated safety copy", async () => {
    const path = join(mkdtempSync(join(tmpdir(), "tradewatch-restore-")), "data", "tracker.db");
    const server = await startChildServer(path, TOKEN);
    // Files the server created are its owner's alone, and so are backups.
    expect([mode(path), mode(`${path}-wal`), mode(`${path}-shm`), mode(dirname(path))]).toEqual(["600", "600", "600", "700"]);
    expect(await addTopic(server.url, "before the backup")).toBe(201);
    const backupFile = join(dirname(path), "backup.db");
    const backup = await npmScript("db:backup", path, [backupFile]);
    expect(backup.code, backup.err).toBe(0);
    expect(mode(backupFile)).toBe("600");
    expect(await addTopic(server.url, "after the backup")).toBe(201);

    const refused = await npmScript("db:restore", path, [backupFile]);
    expect(refused.code).toBe(1);
    expect(refused.err.trim().split("\n")).toEqual([expect.stringContaining(`is in use by pid ${server.process.pid} (`)]);
    console.log(`db:restore beside a running server: ${refused.err.trim()} (${refused.ms} ms)`);
    expect(await addTopic(server.url, "while the restore was refused")).toBe(201);
    server.process.kill("SIGTERM");
    expect(await server.exited).toBe(0);
    const before = topics(path);
    expect(before).toEqual(expect.arrayContaining(["after the backup", "while the restore was refused"]));

    const restored = await npmScript("db:restore", path, [backupFile]);
    expect(restored.code, restored.err).toBe(0);
    const safetyCopy = /kept in (\S+)$/.exec(restored.out.trim())?.[1] ?? "";
    expect(safetyCopy).toMatch(/tracker\.db\.before-restore-\d{4}-\d\d-\d\dT\d{6}Z$/);
    expect(mode(safetyCopy)).toBe("600");
    expect(topics(safetyCopy)).toEqual(before);
    expect(topics(path)).toContain("before the backup");
    expect(topics(path)).not.toContain("after the backup");
    expect(checkBackup(path).integrity).toBe("ok");
    // The restored database serves again.
    const again = await startChildServer(path, TOKEN);
    expect(await addTopic(again.url, "after the restore")).toBe(201);
    again.process.kill("SIGTERM");
    expect(await again.exited).toBe(0);
  }, 120_000);

  it("db:restore is not blocked by a server killed with SIGKILL", async () => {
    const path = freshDatabaseFile();
    const backupFile = join(dirname(path), "backup.db");
    expect((await backupDatabase(path, backupFile)).integrity).toBe("ok");
    const server = await startChildServer(path, TOKEN);
    expect(await addTopic(server.url, "acknowledged before the kill")).toBe(201);
    server.process.kill("SIGKILL");
    await server.exited;
    const restored = await npmScript("db:restore", path, [backupFile]);
    expect(restored.code, restored.err).toBe(0);
    const safetyCopy = /kept in (\S+)$/.exec(restored.out.trim())?.[1] ?? "";
    // The write acknowledged just before the kill was still in the WAL: the safety copy has it.
    expect(topics(safetyCopy)).toContain("acknowledged before the kill");
    expect(topics(path)).not.toContain("acknowledged before the kill");
  }, 120_000);

  it("db:backup refuses to overwrite an existing file without --force", async () => {
    const path = freshDatabaseFile();
    const existing = join(dirname(path), "existing.db");
    writeFileSync(existing, "an operator's file");
    const sha = () => createHash("sha256").update(readFileSync(existing)).digest("hex");
    const before = sha();
    const refused = await npmScript("db:backup", path, [existing]);
    expect(refused.code).toBe(1);
    expect(refused.err.trim().split("\n")).toEqual([`db:backup: ${existing} already exists; choose another file, or add --force to overwrite it`]);
    expect(sha()).toBe(before);
    const forced = await npmScript("db:backup", path, [existing, "--force"]);
    expect(forced.code, forced.err).toBe(0);
    expect(checkBackup(existing).integrity).toBe("ok");
    expect(existsSync(join(dirname(path), `.existing.db.partial-${process.pid}`))).toBe(false);
    expect((await npmScript("db:backup", path, [path, "--force"])).err).toContain("is the database itself");
  }, 60_000);
});
