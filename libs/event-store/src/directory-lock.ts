import { readFileSync, unlinkSync, writeFileSync } from 'node:fs';
import { resolve } from 'node:path';

/** Another store, in this process or another, has the directory open. */
export class DirectoryInUseError extends Error {
  constructor(
    readonly directory: string,
    readonly pid: number | undefined,
  ) {
    super(
      pid === undefined || pid === process.pid
        ? `The event store directory ${directory} is already open in this process`
        : `The event store directory ${directory} is in use by process ${pid}; if no such process uses it, delete ${DirectoryLock.fileName} there`,
    );
    this.name = 'DirectoryInUseError';
  }
}

/** Lock files held by this process, so that a lock naming our own pid can be told from a stale one. */
const heldHere = new Set<string>();

/**
 * Keeps a second store (in this process or another) from opening a directory: PGlite is a single-process database
 * and two writers would each assign the same positions. The lock file holds the owner's pid; a lock whose process
 * is gone (a crash, a killed process) is taken over.
 */
export class DirectoryLock {
  static readonly fileName = 'event-store.lock';

  private constructor(private readonly path: string) {}

  static acquire(directory: string): DirectoryLock {
    const path = resolve(directory, DirectoryLock.fileName);
    if (heldHere.has(path)) throw new DirectoryInUseError(directory, process.pid);
    if (!tryCreate(path)) {
      const owner = readOwner(path);
      // Our own pid without our own lock: a previous life of this pid (containers often reuse pid 1).
      if (owner !== undefined && owner !== process.pid && isAlive(owner)) throw new DirectoryInUseError(directory, owner);
      unlinkSync(path);
      if (!tryCreate(path)) throw new DirectoryInUseError(directory, readOwner(path));
    }
    heldHere.add(path);
    return new DirectoryLock(path);
  }

  release(): void {
    if (!heldHere.delete(this.path)) return;
    try {
      unlinkSync(this.path);
    } catch (error) {
      if ((error as NodeJS.ErrnoException).code !== 'ENOENT') throw error;
    }
  }
}

function tryCreate(path: string): boolean {
  try {
    writeFileSync(path, `${process.pid}\n`, { flag: 'wx' });
    return true;
  } catch (error) {
    if ((error as NodeJS.ErrnoException).code === 'EEXIST') return false;
    throw error;
  }
}

function readOwner(path: string): number | undefined {
  try {
    const pid = Number(readFileSync(path, 'utf8').trim());
    return Number.isSafeInteger(pid) && pid > 0 ? pid : undefined;
  } catch {
    return undefined;
  }
}

function isAlive(pid: number): boolean {
  try {
    process.kill(pid, 0);
    return true;
  } catch (error) {
    // EPERM: the process exists but belongs to someone else.
    return (error as NodeJS.ErrnoException).code === 'EPERM';
  }
}
