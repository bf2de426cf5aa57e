import { statSync } from "node:fs";
import { type FileHandle, open } from "node:fs/promises";

/** Makes data already written to a file durable: `FileHandle.datasync` (fdatasync), on libuv's pool. */
export type SyncFile = (file: FileHandle) => Promise<void>;

/**
 * Makes the raw writer's COMMITs durable off the event loop (decision 022). That connection
 * commits with synchronous=NORMAL: SQLite writes the WAL frames and returns, without waiting
 * for the disk. Each group of writes is acknowledged only once an fdatasync of the WAL file,
 * started after its COMMIT returned, has succeeded; while one sync runs, the event loop serves
 * reads and runs the next group. Commits that end while a sync runs share the next one: a sync
 * already under way may have started before their frames were written, so it cannot count.
 */
export class WalSync {
  #file: { handle: FileHandle; inode: number } | null = null;
  #running: Promise<void> | null = null;
  #next: Promise<void> | null = null;

  constructor(
    private readonly walPath: string,
    private readonly syncFile: SyncFile = (file) => file.datasync(),
  ) {}

  /** Resolves once everything committed before this call is on disk; rejects if the disk failed to say so. */
  afterCommit(): Promise<void> {
    if (this.#running === null) return this.#start();
    this.#next ??= this.#running
      .catch(() => undefined)
      .then(() => {
        this.#next = null;
        return this.#start();
      });
    return this.#next;
  }

  /** Waits for the syncs under way or asked for (before the connections close). */
  async settled(): Promise<void> {
    await Promise.allSettled([this.#running, this.#next]);
  }

  async close(): Promise<void> {
    await this.settled();
    await this.#file?.handle.close();
    this.#file = null;
  }

  #start(): Promise<void> {
    const run = this.#sync().finally(() => {
      if (this.#running === run) this.#running = null;
    });
    this.#running = run;
    return run;
  }

  async #sync(): Promise<void> {
    // SQLite deletes the WAL only when its last connection closes, but a handle on a file since
    // deleted and made again would sync the wrong one: the path's inode is checked at each sync.
    const inode = statSync(this.walPath).ino;
    if (this.#file?.inode !== inode) {
      await this.#file?.handle.close();
      const handle = await open(this.walPath, "r");
      this.#file = { handle, inode: (await handle.stat()).ino };
    }
    await this.syncFile(this.#file.handle);
  }
}
