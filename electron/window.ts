import { BrowserWindow, type Session, type WebPreferences } from 'electron';
import { pathToFileURL } from 'node:url';
import { isAppUrl } from './ipc';

export const CONTENT_SECURITY_POLICY = [
  "default-src 'self'",
  "script-src 'self'",
  // antd 6 is CSS-in-JS: it injects <style> elements at runtime.
  "style-src 'self' 'unsafe-inline'",
  "img-src 'self' data: blob:",
  "font-src 'self' data:",
  "connect-src 'self'",
  "object-src 'none'",
  "base-uri 'none'",
  "form-action 'none'",
  "frame-src 'none'",
].join('; ');

export interface WindowPaths {
  /** dist-electron/preload.cjs */
  preload: string;
  /** dist/renderer: the only directory whose pages may talk to the main process. */
  rendererDir: string;
  /** dist/renderer/index.html */
  indexHtml: string;
}

export function webPreferences(preload: string, options: { devTools: boolean }): WebPreferences {
  return {
    preload,
    devTools: options.devTools,
    contextIsolation: true,
    sandbox: true,
    nodeIntegration: false,
    nodeIntegrationInWorker: false,
    nodeIntegrationInSubFrames: false,
    webSecurity: true,
    allowRunningInsecureContent: false,
    webviewTag: false,
    spellcheck: false,
  };
}

/**
 * Session-wide walls: no permission (camera, geolocation, notifications…) is ever granted,
 * and every response carries the CSP. Note: Chromium applies no response headers to file://
 * loads, so the same policy must also sit in a <meta> tag of index.html; the header covers
 * anything served over a protocol that has headers.
 */
export function hardenSession(session: Session): void {
  session.setPermissionRequestHandler((_contents, _permission, callback) => callback(false));
  session.setPermissionCheckHandler(() => false);
  session.webRequest.onHeadersReceived((details, callback) => {
    callback({ responseHeaders: { ...details.responseHeaders, 'Content-Security-Policy': [CONTENT_SECURITY_POLICY] } });
  });
}

/**
 * Navigation inside the app is hash routing within index.html; anything that would replace
 * the document with another URL (a dropped file, a link to a web page) is refused.
 */
export function isAllowedNavigation(url: string, paths: Pick<WindowPaths, 'indexHtml' | 'rendererDir'>): boolean {
  if (!isAppUrl(url, paths.rendererDir)) return false;
  const target = new URL(url);
  target.hash = '';
  target.search = '';
  return target.href === pathToFileURL(paths.indexHtml).href;
}

export function createMainWindow(paths: WindowPaths, options: { title: string; devTools: boolean }): BrowserWindow {
  const win = new BrowserWindow({
    title: options.title,
    width: 1366,
    height: 860,
    minWidth: 1024,
    minHeight: 680,
    show: false,
    backgroundColor: '#ffffff',
    webPreferences: webPreferences(paths.preload, { devTools: options.devTools }),
  });
  hardenSession(win.webContents.session);

  win.webContents.on('will-navigate', (event, url) => {
    if (!isAllowedNavigation(url, paths)) event.preventDefault();
  });
  win.webContents.on('will-redirect', (event, url) => {
    if (!isAllowedNavigation(url, paths)) event.preventDefault();
  });
  // No second window and no external browser: nothing in the app needs one, and opening
  // links would hand renderer-controlled URLs to the OS.
  win.webContents.setWindowOpenHandler(() => ({ action: 'deny' }));
  win.once('ready-to-show', () => win.show());

  void win.loadFile(paths.indexHtml);
  return win;
}
