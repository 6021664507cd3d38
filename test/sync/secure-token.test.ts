import { mkdtempSync, readdirSync, readFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { beforeEach, describe, expect, it, vi } from 'vitest';

// electron/secure-token.ts over a stand-in for Electron's safeStorage (the Electron binary is
// not available here): the token is stored only as ciphertext, and never in clear.

const safe = vi.hoisted(() => ({ available: true, backend: 'gnome_libsecret' }));
vi.mock('electron', () => ({
  safeStorage: {
    isEncryptionAvailable: () => safe.available,
    getSelectedStorageBackend: () => safe.backend,
    encryptString: (s: string) => Buffer.from(`enc:${Buffer.from(s).toString('base64')}`),
    decryptString: (b: Buffer) => Buffer.from(b.toString().slice(4), 'base64').toString(),
  },
}));

const { safeStorageTokenStore, SECURE_TOKEN_FILE } = await import('../../electron/secure-token');

describe('safeStorage token store', () => {
  beforeEach(() => {
    safe.available = true;
    safe.backend = 'gnome_libsecret';
  });

  it('round-trips the token through encryption and never writes it in clear', () => {
    const dir = mkdtempSync(join(tmpdir(), 'griddesk-secure-'));
    const store = safeStorageTokenStore(dir);
    expect(store.load()).toBeNull();
    store.save('device-secret');
    expect(readFileSync(join(dir, SECURE_TOKEN_FILE)).toString()).not.toContain('device-secret');
    expect(store.load()).toBe('device-secret');
    store.clear();
    expect(store.load()).toBeNull();
  });

  it('refuses to store a token where the OS offers no encryption', () => {
    safe.available = false;
    const store = safeStorageTokenStore(mkdtempSync(join(tmpdir(), 'griddesk-secure-')));
    expect(store.ready()).toBe(false);
    expect(() => store.save('device-secret')).toThrow(/not available/);
  });

  it.runIf(process.platform === 'linux')('refuses Linux without a keyring, where safeStorage falls back to a built-in key', () => {
    safe.backend = 'basic_text';
    const dir = mkdtempSync(join(tmpdir(), 'griddesk-secure-'));
    const store = safeStorageTokenStore(dir);
    expect(store.ready()).toBe(false);
    expect(() => store.save('device-secret')).toThrow(/not available/);
    expect(readdirSync(dir)).toEqual([]);
  });
});
