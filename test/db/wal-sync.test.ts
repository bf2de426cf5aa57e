import { mkdtempSync, renameSync, rmSync, statSync, writeFileSync } from "node:fs";
import type { FileHandle } from "node:fs/promises";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { describe, expect, it } from "vitest";
import { createApp } from "../../src/api/create-app.ts";
import { openDatabase } from "../../src/db/client.ts";
import { WalSync } from "../../src/db/wal-sync.ts";
import { createLogger } from "../../src/logger.ts";
import { seedAll } from "../../src/seed/run.ts";
import { TARIFF_THREAT, TEST_TOKEN } from "../helpers/app.ts";
import { freshDatabaseFile } from "../helpers/database.ts";

/** A disk whose syncs, once held, end when the test says so, each seeing which file it was given. */
function heldDisk(held = true) {
  const syncs: { inode: Promise<number>; release: (err?: Error) => void }[] = [];
  const disk = {
    held,
    syncs,
    syncFile: (file: FileHandle) =>
      disk.held
        ? new Promise<void>((resolve, reject) => {
            syncs.push({ inode: file.stat().then((s) => s.ino), release: (err) => (err ? reject(err) : resolve()) });
          })
        : file.datasync(),
  };
  return disk;
}

const settledState = (p: Promise<unknown> | unknown) =>
  Promise.race([
    Promise.resolve(p).then(
      () => "resolved",
      () => "rejected",
    ),
    new Promise((r) => setImmediate(() => r("pending"))),
  ]);

function walFile(): string {
  const dir = mkdtempSync(join(tmpdir(), "tradewatch-wal-"));
  const path = join(dir, "tracker.db-wal");
  writeFileSync(path, "frames");
  return path;
}

describe("the WAL's sync after a group commit", () => {
  it("covers only the commits made before it began: those during a sync share exactly one more", async () => {
    const disk = heldDisk();
    const wal = new WalSync(walFile(), disk.syncFile);
    const first = wal.afterCommit();
    await expect.poll(() => disk.syncs.length).toBe(1);
    // Two commits end while the first sync runs: neither is durable by it.
    const second = wal.afterCommit();
    const third = wal.afterCommit();
    disk.syncs[0]!.release();
    await first;
    expect(await settledState(second)).toBe("pending");
    await expect.poll(() => disk.syncs.length).toBe(2);
    expect(await settledState(third)).toBe("pending");
    disk.syncs[1]!.release();
    await Promise.all([second, third]);
    expect(disk.syncs).toHaveLength(2);
    await wal.close();
  });

  it("fails only the commits its own sync covered; the next commit gets a sync of its own", async () => {
    const disk = heldDisk();
    const wal = new WalSync(walFile(), disk.syncFile);
    const failed = wal.afterCommit();
    await expect.poll(() => disk.syncs.length).toBe(1);
    const later = wal.afterCommit();
    disk.syncs[0]!.release(Object.assign(new Error("input/output error"), { code: "EIO" }));
    await expect(failed).rejects.toMatchObject({ code: "EIO" });
    await expect.poll(() => disk.syncs.length).toBe(2);
    disk.syncs[1]!.release();
    await expect(later).resolves.toBeUndefined();
    await wal.close();
  });

  it("syncs the file now at the path, not one deleted and made again under the same name", async () => {
    const disk = heldDisk();
    const path = walFile();
    const wal = new WalSync(path, disk.syncFile);
    const first = wal.afterCommit();
    await expect.poll(() => disk.syncs.length).toBe(1);
    disk.syncs[0]!.release();
    await first;
    writeFileSync(`${path}.new`, "other frames");
    renameSync(`${path}.new`, path);
    const second = wal.afterCommit();
    await expect.poll(() => disk.syncs.length).toBe(2);
    expect(await disk.syncs[1]!.inode).toBe(statSync(path).ino);
    expect(await disk.syncs[1]!.inode).not.toBe(await disk.syncs[0]!.inode);
    disk.syncs[1]!.release();
    await second;
    await wal.close();
    rmSync(path);
  });
});

describe("a status change over HTTP", () => {
  async function appOn(disk: ReturnType<typeof heldDisk>) {
    const db = await openDatabase(freshDatabaseFile(), { syncFile: disk.syncFile });
    await seedAll(db);
    disk.held = true;
    const app = createApp({
      db,
      token: TEST_TOKEN,
      logger: createLogger("silent"),
      config: { CORS_ORIGINS: [], BODY_LIMIT_BYTES: 256 * 1024, REQUEST_TIMEOUT_MS: 10_000, TRADEWATCH_PRIVATE_READS: false },
    });
    const imposed = () =>
      app.request(`/api/threats/${TARIFF_THREAT}/status`, {
        method: "POST",
        headers: { Authorization: `Bearer ${TEST_TOKEN}`, "Content-Type": "application/json" },
        body: JSON.stringify({ status: "imposed", reason: "the tariff took effect" }),
      });
    return { db, app, imposed };
  }

  it("is acknowledged only once the WAL holding it is synced", async () => {
    const disk = heldDisk(false);
    const { db, imposed } = await appOn(disk);
    const answer = imposed();
    await expect.poll(() => disk.syncs.length).toBe(1);
    expect(await settledState(answer)).toBe("pending");
    disk.syncs[0]!.release();
    expect((await answer).status).toBe(200);
    await db.close();
  });

  it("answers 503 when the disk fails the sync, and from then on refuses writes and keeps /health at 503", async () => {
    const disk = heldDisk(false);
    const { db, app, imposed } = await appOn(disk);
    const answer = imposed();
    await expect.poll(() => disk.syncs.length).toBe(1);
    disk.syncs[0]!.release(Object.assign(new Error("input/output error"), { code: "EIO" }));
    const res = await answer;
    expect(res.status).toBe(503);
    expect(res.headers.get("content-type")).toContain("application/problem+json");
    expect(((await res.json()) as { detail: string }).detail).toContain("EIO");
    expect((await app.request("/health")).status).toBe(503);
    const topic = await app.request("/api/topics", {
      method: "POST",
      headers: { Authorization: `Bearer ${TEST_TOKEN}`, "Content-Type": "application/json" },
      body: JSON.stringify({ name: "after the disk failed" }),
    });
    expect(topic.status).toBe(503);
    expect(disk.syncs).toHaveLength(1);
    await db.close();
  });
});
