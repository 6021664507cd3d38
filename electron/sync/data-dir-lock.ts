import { closeSync, openSync, readFileSync, rmSync, writeSync } from 'node:fs';
import { join } from 'node:path';

// One sync cycle at a time per data folder. The desktop app, `npm run web` and `npm run station`
// can all open the same folder, and two engines interleaving a bootstrap, a pull or a push on
// one replica would move its cursor and snapshot progress under each other. The lock is a file
// holding the owner's pid, made with O_EXCL; one whose process is gone (a crash, SIGKILL) is
// taken over. Within a process the set below does the same for two engines on one folder.

export const SYNC_LOCK_FILE = 'sync.lock';

const held = new Set<string>();

/** Another program (pid) is syncing this data folder; the cycle is retried later. */
export class DataDirBusy extends Error {
  readonly reason = 'sync.data_dir_busy';
  constructor(readonly pid: number) {
    super(`another process (${pid}) is syncing this data folder`);
    this.name = 'DataDirBusy';
  }
}

function alive(pid: number): boolean {
  try {
    process.kill(pid, 0);
    return true;
  } catch (error) {
    // EPERM: it exists, it is just not ours to signal
    return error instanceof Error && 'code' in error && error.code === 'EPERM';
  }
}

function create(file: string): boolean {
  let fd: number;
  try {
    fd = openSync(file, 'wx', 0o600);
  } catch (error) {
    if (error instanceof Error && 'code' in error && error.code === 'EEXIST') return false;
    throw error;
  }
  try {
    writeSync(fd, String(process.pid));
  } finally {
    closeSync(fd);
  }
  return true;
}

/** Takes the data folder's sync lock; returns its release. Throws DataDirBusy while another holds it. */
export function lockForSync(dataDir: string): () => void {
  const file = join(dataDir, SYNC_LOCK_FILE);
  if (held.has(file)) throw new DataDirBusy(process.pid);
  if (!create(file)) {
    const owner = Number.parseInt(readFileSync(file, 'utf8'), 10);
    if (Number.isSafeInteger(owner) && owner !== process.pid && alive(owner)) throw new DataDirBusy(owner);
    // left behind by a process that is gone (or by this one, before a restart of its engine)
    rmSync(file, { force: true });
    if (!create(file)) throw new DataDirBusy(Number.parseInt(readFileSync(file, 'utf8'), 10));
  }
  held.add(file);
  return () => {
    held.delete(file);
    rmSync(file, { force: true });
  };
}
