import { chmodSync, existsSync, readFileSync, rmSync, writeFileSync } from 'node:fs';
import { join } from 'node:path';

// Where the device token lives. Electron keeps it encrypted with safeStorage
// (electron/secure-token.ts); headless and browser mode keep it in a file only this user can
// read. The token never goes into the replica: a backup copied elsewhere must not carry it.

export interface TokenStore {
  load(): string | null;
  save(token: string): void;
  clear(): void;
}

export const TOKEN_FILE = 'device-token';

export function fileTokenStore(dataDir: string): TokenStore {
  const file = join(dataDir, TOKEN_FILE);
  return {
    load: () => (existsSync(file) ? readFileSync(file, 'utf8').trim() || null : null),
    save(token) {
      writeFileSync(file, token, { mode: 0o600 });
      // writeFileSync's mode applies only when it creates the file
      chmodSync(file, 0o600);
    },
    clear: () => rmSync(file, { force: true }),
  };
}

export function memoryTokenStore(initial: string | null = null): TokenStore {
  let token = initial;
  return {
    load: () => token,
    save: (t) => {
      token = t;
    },
    clear: () => {
      token = null;
    },
  };
}
