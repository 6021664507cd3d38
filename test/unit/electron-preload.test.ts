import { beforeEach, describe, expect, it, vi } from 'vitest';
import type { GriddeskBridge } from '../../electron/preload';

const electron = vi.hoisted(() => ({
  exposeInMainWorld: vi.fn<(key: string, api: unknown) => void>(),
  invoke: vi.fn<(channel: string, ...args: unknown[]) => Promise<unknown>>(),
}));
vi.mock('electron', () => ({
  contextBridge: { exposeInMainWorld: electron.exposeInMainWorld },
  ipcRenderer: { invoke: electron.invoke },
}));

await import('../../electron/preload');
const { channelFor } = await import('../../electron/ipc');

function exposedBridge(): GriddeskBridge {
  expect(electron.exposeInMainWorld).toHaveBeenCalledTimes(1);
  const [key, api] = electron.exposeInMainWorld.mock.calls[0] ?? [];
  expect(key).toBe('griddesk');
  return api as GriddeskBridge;
}

describe('preload bridge', () => {
  beforeEach(() => {
    electron.invoke.mockReset();
  });

  it('exposes one object with only invoke', () => {
    expect(Object.keys(exposedBridge())).toEqual(['invoke']);
  });

  it('sends on the channel ipc.ts registers', async () => {
    electron.invoke.mockResolvedValue({ ok: true, result: [] });
    const reply = await exposedBridge().invoke('people.list', { page: 1 });
    expect(reply).toEqual({ ok: true, result: [] });
    expect(electron.invoke).toHaveBeenCalledWith(channelFor('people.list'), { page: 1 });
  });

  it.each([['people.list; x'], ['../people.list'], ['griddesk:people.list'], ['people'], [''], ['People.list'], [42], [null]])(
    'never sends a malformed method name (%s)',
    async (method) => {
      const reply = await exposedBridge().invoke(method as string, {});
      expect(reply).toMatchObject({ ok: false, error: { code: 'unknown_method' } });
      expect(electron.invoke).not.toHaveBeenCalled();
    },
  );

  it('turns a rejected invoke (no such handler) into a Reply', async () => {
    electron.invoke.mockImplementation(() => Promise.reject(new Error("No handler registered for 'griddesk:people.nope'")));
    const reply = await exposedBridge().invoke('people.nope', {});
    expect(reply).toMatchObject({ ok: false, error: { code: 'unknown_method', details: { method: 'people.nope' } } });
  });
});
