import { safeStorage } from 'electron';
import { existsSync, readFileSync, rmSync, writeFileSync } from 'node:fs';
import { join } from 'node:path';
import type { TokenStore } from './sync/token-store';

// The device token under Electron: encrypted with the OS keychain (safeStorage: DPAPI on
// Windows, Keychain on macOS, libsecret on Linux) and kept beside the replica as ciphertext.
// Where the OS offers no encryption we refuse to store it rather than write it in clear.

export const SECURE_TOKEN_FILE = 'device-token.enc';

export function safeStorageTokenStore(dataDir: string): TokenStore {
  const file = join(dataDir, SECURE_TOKEN_FILE);
  return {
    load() {
      if (!existsSync(file) || !safeStorage.isEncryptionAvailable()) return null;
      return safeStorage.decryptString(readFileSync(file)) || null;
    },
    save(token) {
      if (!safeStorage.isEncryptionAvailable()) throw new Error('secure storage is not available on this system');
      writeFileSync(file, safeStorage.encryptString(token), { mode: 0o600 });
    },
    clear: () => rmSync(file, { force: true }),
  };
}
