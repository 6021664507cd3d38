import { join } from 'node:path';
import { pathToFileURL } from 'node:url';
import { beforeEach, describe, expect, it, vi } from 'vitest';

type Listener = (...args: unknown[]) => unknown;

const electron = vi.hoisted(() => {
  const session = {
    permissionRequest: null as Listener | null,
    permissionCheck: null as Listener | null,
    headers: null as Listener | null,
    setPermissionRequestHandler(fn: Listener) {
      session.permissionRequest = fn;
    },
    setPermissionCheckHandler(fn: Listener) {
      session.permissionCheck = fn;
    },
    webRequest: {
      onHeadersReceived(fn: Listener) {
        session.headers = fn;
      },
    },
  };
  class FakeWindow {
    static last: FakeWindow | null = null;
    readonly events = new Map<string, Listener>();
    readonly contentsEvents = new Map<string, Listener>();
    windowOpenHandler: Listener | null = null;
    readonly show = vi.fn();
    readonly loadFile = vi.fn(() => Promise.resolve());
    readonly webContents = {
      session,
      on: (name: string, fn: Listener) => this.contentsEvents.set(name, fn),
      setWindowOpenHandler: (fn: Listener) => {
        this.windowOpenHandler = fn;
      },
    };
    constructor(readonly options: Record<string, unknown>) {
      FakeWindow.last = this;
    }
    once(name: string, fn: Listener) {
      this.events.set(name, fn);
    }
  }
  return { session, FakeWindow };
});
vi.mock('electron', () => ({ BrowserWindow: electron.FakeWindow }));

const { CONTENT_SECURITY_POLICY, createMainWindow, isAllowedNavigation } = await import('../../electron/window');

const rendererDir = join('/opt', 'GridDesk', 'dist', 'renderer');
const paths = { preload: '/opt/GridDesk/dist-electron/preload.cjs', rendererDir, indexHtml: join(rendererDir, 'index.html') };
const indexUrl = pathToFileURL(paths.indexHtml).href;

function open() {
  createMainWindow(paths, { title: 'GridDesk', devTools: false });
  const win = electron.FakeWindow.last;
  if (!win) throw new Error('no window');
  return win;
}

function navigate(win: InstanceType<typeof electron.FakeWindow>, event: 'will-navigate' | 'will-redirect', url: string) {
  const preventDefault = vi.fn();
  win.contentsEvents.get(event)?.({ preventDefault }, url);
  return preventDefault.mock.calls.length > 0;
}

describe('main window', () => {
  beforeEach(() => {
    electron.FakeWindow.last = null;
  });

  it('runs the renderer isolated, sandboxed and without Node', () => {
    const prefs = open().options.webPreferences;
    expect(prefs).toMatchObject({
      preload: paths.preload,
      contextIsolation: true,
      sandbox: true,
      nodeIntegration: false,
      nodeIntegrationInSubFrames: false,
      webSecurity: true,
      allowRunningInsecureContent: false,
      webviewTag: false,
      devTools: false,
    });
  });

  it('loads index.html and shows only when ready', () => {
    const win = open();
    expect(win.loadFile).toHaveBeenCalledWith(paths.indexHtml);
    expect(win.options.show).toBe(false);
    expect(win.show).not.toHaveBeenCalled();
    win.events.get('ready-to-show')?.();
    expect(win.show).toHaveBeenCalledTimes(1);
  });

  it.each(['will-navigate', 'will-redirect'] as const)('%s: stays on index.html, refuses everything else', (event) => {
    const win = open();
    expect(navigate(win, event, `${indexUrl}#/roster`)).toBe(false);
    expect(navigate(win, event, 'https://example.com/')).toBe(true);
    expect(navigate(win, event, pathToFileURL('/etc/passwd').href)).toBe(true);
    expect(navigate(win, event, pathToFileURL(join(rendererDir, 'assets', 'other.html')).href)).toBe(true);
  });

  it('opens no new windows', () => {
    expect(open().windowOpenHandler?.({ url: 'https://example.com/' })).toEqual({ action: 'deny' });
  });

  it('grants no permission, asked or checked', () => {
    open();
    const callback = vi.fn();
    electron.session.permissionRequest?.({}, 'media', callback);
    expect(callback).toHaveBeenCalledWith(false);
    expect(electron.session.permissionCheck?.({}, 'notifications')).toBe(false);
  });

  it('adds the CSP to every response', () => {
    open();
    const callback = vi.fn();
    electron.session.headers?.({ responseHeaders: { 'X-Other': ['1'] } }, callback);
    expect(callback).toHaveBeenCalledWith({
      responseHeaders: { 'X-Other': ['1'], 'Content-Security-Policy': [CONTENT_SECURITY_POLICY] },
    });
    for (const directive of ["script-src 'self'", "style-src 'self' 'unsafe-inline'", "object-src 'none'", "base-uri 'none'"]) {
      expect(CONTENT_SECURITY_POLICY).toContain(directive);
    }
    expect(CONTENT_SECURITY_POLICY).not.toContain('unsafe-eval');
  });

  it('isAllowedNavigation ignores hash and query of index.html only', () => {
    expect(isAllowedNavigation(`${indexUrl}?a=1#/x`, paths)).toBe(true);
    expect(isAllowedNavigation('file:///index.html', paths)).toBe(false);
  });
});

describe('menu', () => {
  it('offers reload and developer tools only in development', async () => {
    const { menuTemplate } = await import('../../electron/menu');
    const roles = (isPackaged: boolean) =>
      menuTemplate({ isPackaged, platform: 'win32' }).flatMap((item) => (Array.isArray(item.submenu) ? item.submenu.map((sub) => sub.role) : []));
    expect(roles(true)).not.toContain('toggleDevTools');
    expect(roles(true)).not.toContain('reload');
    expect(roles(false)).toContain('toggleDevTools');
    expect(menuTemplate({ isPackaged: true, platform: 'linux' }).map((item) => item.label)).toEqual(['文件', '编辑', '视图', '帮助']);
  });
});
