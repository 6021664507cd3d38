import { closeSync, existsSync, fsyncSync, openSync, readFileSync, renameSync, rmSync, writeSync } from 'node:fs';
import { join } from 'node:path';

// Where the device token lives. Electron keeps it encrypted with safeStorage
// (electron/secure-token.ts); headless and browser mode keep it in a file only this user can
// read. The token never goes into the replica: a backup copied elsewhere must not carry it.

export interface TokenStore {
  /** Whether save() can keep a token here: checked before an enrollment code is spent. */
  ready(): boolean;
  load(): string | null;
  save(token: string): void;
  clear(): void;
}

export const TOKEN_FILE = 'device-token';

/**
 * Replaces `file` with `data`, readable only by this user, all or nothing: the bytes go to a new
 * file created 0600 and synced, which is then renamed over the old one. Written in place, an
 * existing file with wider permissions showed the new token until a chmod, and a crash could
 * leave it empty: an enrolled station answered 401 for good.
 */
export function replacePrivateFile(file: string, data: string | Uint8Array): void {
  const temp = `${file}.${process.pid}.tmp`;
  rmSync(temp, { force: true });
  const fd = openSync(temp, 'wx', 0o600);
  try {
    writeSync(fd, typeof data === 'string' ? Buffer.from(data, 'utf8') : data);
    fsyncSync(fd);
  } finally {
    closeSync(fd);
  }
  renameSync(temp, file);
}

export function fileTokenStore(dataDir: string): TokenStore {
  const file = join(dataDir, TOKEN_FILE);
  return {
    ready: () => true,
    load: () => (existsSync(file) ? readFileSync(file, 'utf8').trim() || null : null),
    save: (token) => replacePrivateFile(file, token),
    clear: () => rmSync(file, { force: true }),
  };
}

export function memoryTokenStore(initial: string | null = null): TokenStore {
  let token = initial;
  return {
    ready: () => true,
    load: () => token,
    save: (t) => {
      token = t;
    },
    clear: () => {
      token = null;
    },
  };
}
