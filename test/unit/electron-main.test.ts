import { afterEach, beforeEach, describe, expect, it, vi } from 'vitest';

type Listener = (...args: unknown[]) => unknown;

const fake = vi.hoisted(() => {
  const order: string[] = [];
  const appEvents = new Map<string, Listener>();
  const state = { lock: true, ready: Promise.resolve() };
  const window = {
    isDestroyed: vi.fn(() => false),
    isMinimized: vi.fn(() => true),
    restore: vi.fn(),
    show: vi.fn(),
    focus: vi.fn(),
    on: vi.fn(),
  };
  const app = {
    isPackaged: false,
    setPath: vi.fn((name: string) => order.push(`setPath:${name}`)),
    getPath: vi.fn(() => '/data/user'),
    requestSingleInstanceLock: vi.fn(() => {
      order.push('lock');
      return state.lock;
    }),
    enableSandbox: vi.fn(),
    quit: vi.fn(),
    exit: vi.fn(),
    on: vi.fn((name: string, fn: Listener) => appEvents.set(name, fn)),
    whenReady: vi.fn(() => state.ready),
  };
  return {
    order,
    appEvents,
    state,
    window,
    app,
    dialog: { showErrorBox: vi.fn() },
    context: { dataDir: '/data/user' },
    openAppContext: vi.fn(),
    closeAppContext: vi.fn(),
    createHandlers: vi.fn(() => ({})),
    registerIpc: vi.fn(() => vi.fn()),
    createMainWindow: vi.fn(() => window),
    installMenu: vi.fn(),
    startSync: vi.fn(),
    stopSync: vi.fn(() => Promise.resolve()),
    safeStorageTokenStore: vi.fn(() => ({})),
  };
});

vi.mock('electron', () => ({ app: fake.app, dialog: fake.dialog }));
vi.mock('../../electron/services/context', () => ({ openAppContext: fake.openAppContext, closeAppContext: fake.closeAppContext }));
vi.mock('../../electron/services', () => ({ createHandlers: fake.createHandlers }));
vi.mock('../../electron/ipc', () => ({ registerIpc: fake.registerIpc }));
vi.mock('../../electron/window', () => ({ createMainWindow: fake.createMainWindow }));
vi.mock('../../electron/menu', () => ({ installMenu: fake.installMenu }));
vi.mock('../../electron/sync', () => ({ startSync: fake.startSync, stopSync: fake.stopSync }));
vi.mock('../../electron/secure-token', () => ({ safeStorageTokenStore: fake.safeStorageTokenStore }));

/** Imports main.ts afresh (it starts the app on import) and lets whenReady settle. */
async function startMain(): Promise<void> {
  vi.resetModules();
  await import('../../electron/main');
  await new Promise((resolve) => setImmediate(resolve));
}

describe('main process start-up', () => {
  beforeEach(() => {
    vi.clearAllMocks();
    fake.order.length = 0;
    fake.appEvents.clear();
    fake.state.lock = true;
    fake.state.ready = Promise.resolve();
    fake.openAppContext.mockReturnValue(fake.context);
    delete process.env.GRIDDESK_DATA_DIR;
  });
  afterEach(() => {
    delete process.env.GRIDDESK_DATA_DIR;
  });

  it('a second instance quits before touching the data', async () => {
    fake.state.lock = false;
    await startMain();
    expect(fake.app.quit).toHaveBeenCalledTimes(1);
    expect(fake.app.whenReady).not.toHaveBeenCalled();
    expect(fake.openAppContext).not.toHaveBeenCalled();
    expect(fake.createMainWindow).not.toHaveBeenCalled();
  });

  it('the first instance opens the replica, registers IPC, then opens the window', async () => {
    await startMain();
    expect(fake.app.enableSandbox).toHaveBeenCalled();
    expect(fake.openAppContext).toHaveBeenCalledWith({ dataDir: '/data/user', transport: 'ipc' });
    expect(fake.createHandlers).toHaveBeenCalledWith(fake.context);
    expect(fake.registerIpc).toHaveBeenCalledWith({}, { rendererDir: expect.stringMatching(/dist[\\/]renderer$/) });
    expect(fake.createMainWindow).toHaveBeenCalledWith(
      expect.objectContaining({ preload: expect.stringMatching(/preload\.cjs$/), indexHtml: expect.stringMatching(/index\.html$/) }),
      { title: 'GridDesk', devTools: true },
    );
    const ipcOrder = fake.registerIpc.mock.invocationCallOrder[0] ?? Infinity;
    expect(ipcOrder).toBeLessThan(fake.createMainWindow.mock.invocationCallOrder[0] ?? -Infinity);
  });

  it('a second start focuses the existing window', async () => {
    await startMain();
    fake.appEvents.get('second-instance')?.();
    expect(fake.window.restore).toHaveBeenCalled();
    expect(fake.window.focus).toHaveBeenCalled();
  });

  it('GRIDDESK_DATA_DIR moves userData before the lock is taken', async () => {
    process.env.GRIDDESK_DATA_DIR = '/tmp/griddesk-test';
    await startMain();
    expect(fake.app.setPath).toHaveBeenCalledWith('userData', '/tmp/griddesk-test');
    expect(fake.order).toEqual(['setPath:userData', 'lock']);
  });

  it('refuses <webview> and pop-ups from any web contents', async () => {
    await startMain();
    const contentsEvents = new Map<string, Listener>();
    const contents = { on: (name: string, fn: Listener) => contentsEvents.set(name, fn), setWindowOpenHandler: vi.fn() };
    fake.appEvents.get('web-contents-created')?.({}, contents);
    const preventDefault = vi.fn();
    contentsEvents.get('will-attach-webview')?.({ preventDefault });
    expect(preventDefault).toHaveBeenCalled();
    const handler = contents.setWindowOpenHandler.mock.calls[0]?.[0] as Listener | undefined;
    expect(handler?.({ url: 'https://example.com' })).toEqual({ action: 'deny' });
  });

  it('starts sync with the safeStorage token store once the replica is open', async () => {
    await startMain();
    expect(fake.safeStorageTokenStore).toHaveBeenCalledWith('/data/user');
    expect(fake.startSync).toHaveBeenCalledWith(fake.context, { tokenStore: expect.any(Object) });
  });

  it('on quit, waits for sync to stop, then closes the IPC handlers and the replica', async () => {
    await startMain();
    const unregister = fake.registerIpc.mock.results[0]?.value as ReturnType<typeof vi.fn>;
    const first = { preventDefault: vi.fn() };
    fake.appEvents.get('will-quit')?.(first);
    expect(first.preventDefault).toHaveBeenCalled();
    expect(fake.closeAppContext).not.toHaveBeenCalled();
    await new Promise((resolve) => setImmediate(resolve));
    expect(fake.stopSync).toHaveBeenCalled();
    expect(fake.app.quit).toHaveBeenCalled();
    // app.quit() fires will-quit again; this time it goes through.
    const second = { preventDefault: vi.fn() };
    fake.appEvents.get('will-quit')?.(second);
    expect(second.preventDefault).not.toHaveBeenCalled();
    expect(unregister).toHaveBeenCalledTimes(1);
    expect(fake.closeAppContext).toHaveBeenCalledWith(fake.context);
  });

  it('a start-up failure is shown and ends the process, no half-started window', async () => {
    fake.openAppContext.mockImplementation(() => {
      throw new Error('data file is from a newer GridDesk');
    });
    await startMain();
    expect(fake.dialog.showErrorBox).toHaveBeenCalledWith('GridDesk 无法启动', 'data file is from a newer GridDesk');
    expect(fake.app.exit).toHaveBeenCalledWith(1);
    expect(fake.createMainWindow).not.toHaveBeenCalled();
  });
});
