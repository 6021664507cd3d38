import { safeStorage } from 'electron';
import { existsSync, readFileSync, rmSync } from 'node:fs';
import { join } from 'node:path';
import { replacePrivateFile, type TokenStore } from './sync/token-store';

// The device token under Electron: encrypted with the OS keychain (safeStorage: DPAPI on
// Windows, Keychain on macOS, libsecret on Linux) and kept beside the replica as ciphertext.
// Where the OS offers no encryption we refuse to store it rather than write it in clear. On
// Linux without a keyring safeStorage reports itself available but encrypts with a key built
// into Chromium ('basic_text'): that is clear text with extra steps, refused too.

export const SECURE_TOKEN_FILE = 'device-token.enc';

function encryptionAvailable(): boolean {
  if (!safeStorage.isEncryptionAvailable()) return false;
  return process.platform !== 'linux' || safeStorage.getSelectedStorageBackend() !== 'basic_text';
}

export function safeStorageTokenStore(dataDir: string): TokenStore {
  const file = join(dataDir, SECURE_TOKEN_FILE);
  return {
    ready: encryptionAvailable,
    load() {
      if (!existsSync(file) || !safeStorage.isEncryptionAvailable()) return null;
      return safeStorage.decryptString(readFileSync(file)) || null;
    },
    save(token) {
      if (!encryptionAvailable()) throw new Error('secure storage is not available on this system');
      replacePrivateFile(file, safeStorage.encryptString(token));
    },
    clear: () => rmSync(file, { force: true }),
  };
}
