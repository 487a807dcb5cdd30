import { closeSync, mkdirSync, openSync, readFileSync, unlinkSync, writeSync } from "node:fs";
import * as path from "node:path";

/** The lock file of a run folder while a run writes to it; it holds the writer's pid. */
export const RUN_LOCK_FILE = "train.lock";

export interface RunLock {
  /** Removes the lock file if it is still this process's. */
  release(): void;
}

export type RunLockResult =
  { lock: RunLock; staleTakenOver?: number } | { heldBy: number | null; path: string };

function isAlive(pid: number): boolean {
  try {
    process.kill(pid, 0);
    return true;
  } catch (e) {
    // EPERM: the process exists but belongs to someone else.
    return (e as NodeJS.ErrnoException).code === "EPERM";
  }
}

function lockOwner(file: string): number | null {
  try {
    const pid = Number.parseInt(readFileSync(file, "utf8").trim(), 10);
    return Number.isSafeInteger(pid) && pid > 0 ? pid : null;
  } catch {
    return null;
  }
}

/**
 * Takes the folder's lock (creating the folder): creates `train.lock` exclusively (O_EXCL), holding this pid. A
 * lock whose pid is no longer running is stale (a killed run) and is taken over once;
 * a live one, or one that cannot be read, is `heldBy`. Filesystem errors other than the
 * file existing are thrown (the caller reports the folder as unwritable).
 */
export function acquireRunLock(dir: string): RunLockResult {
  mkdirSync(dir, { recursive: true });
  const file = path.join(dir, RUN_LOCK_FILE);
  let staleTakenOver: number | undefined;
  for (let attempt = 0; attempt < 2; attempt++) {
    let fd: number;
    try {
      fd = openSync(file, "wx");
    } catch (e) {
      if ((e as NodeJS.ErrnoException).code !== "EEXIST") throw e;
      const owner = lockOwner(file);
      if (owner === null || owner === process.pid || isAlive(owner) || attempt > 0)
        return { heldBy: owner, path: file };
      try {
        unlinkSync(file);
      } catch {
        // Another run took it over first; the next attempt sees its lock.
      }
      staleTakenOver = owner;
      continue;
    }
    try {
      writeSync(fd, `${process.pid}\n`);
    } finally {
      closeSync(fd);
    }
    const release = () => {
      if (lockOwner(file) !== process.pid) return;
      try {
        unlinkSync(file);
      } catch {
        // Already gone.
      }
    };
    // A run that ends by an exception or process.exit still frees the folder.
    process.once("exit", release);
    return {
      lock: {
        release() {
          process.removeListener("exit", release);
          release();
        },
      },
      ...(staleTakenOver !== undefined && { staleTakenOver }),
    };
  }
  return { heldBy: lockOwner(file), path: file };
}
