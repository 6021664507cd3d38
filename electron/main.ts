import { app, dialog, type BrowserWindow } from 'electron';
import { join } from 'node:path';
import { createHandlers } from './services';
import { closeAppContext, openAppContext, type AppContext } from './services/context';
import { registerIpc } from './ipc';
import { createLogger } from './log';
import { installMenu } from './menu';
import { safeStorageTokenStore } from './secure-token';
import { startSync, stopSync } from './sync';
import { createMainWindow, type WindowPaths } from './window';

const log = createLogger('main');

/** Overrides the data directory (and Chromium's profile): tests use a fresh one per run. */
export const DATA_DIR_ENV = 'GRIDDESK_DATA_DIR';
/** Path of better_sqlite3.node built for Electron's ABI; db.ts passes it as `nativeBinding`. */
export const SQLITE_BINDING_ENV = 'GRIDDESK_SQLITE_BINDING';

// Bundled to dist-electron/main.cjs; the preload sits beside it, the renderer in dist/.
// In a package both live inside app.asar, which loadFile reads directly.
const paths: WindowPaths = {
  preload: join(__dirname, 'preload.cjs'),
  rendererDir: join(__dirname, '..', 'dist', 'renderer'),
  indexHtml: join(__dirname, '..', 'dist', 'renderer', 'index.html'),
};

export function main(): void {
  // Before anything else: the single-instance lock and the profile live in userData.
  const dataDirOverride = process.env[DATA_DIR_ENV];
  if (dataDirOverride) app.setPath('userData', dataDirOverride);

  // A package ships the Electron-ABI sqlite binary as an extra resource (electron-builder.yml)
  // and always loads that one, whatever the environment says; `npm start` builds one and
  // passes it in the environment.
  if (app.isPackaged) {
    process.env[SQLITE_BINDING_ENV] = join(process.resourcesPath, 'native', 'better_sqlite3.node');
  }

  // Two processes writing one SQLite replica and one outbox would race: the second start
  // hands over to the first window and exits.
  if (!app.requestSingleInstanceLock()) {
    app.quit();
    return;
  }

  app.enableSandbox();
  let window: BrowserWindow | null = null;
  let context: AppContext | null = null;
  let unregister: (() => void) | null = null;

  app.on('second-instance', () => {
    if (!window || window.isDestroyed()) return;
    if (window.isMinimized()) window.restore();
    window.show();
    window.focus();
  });

  app.on('web-contents-created', (_event, contents) => {
    // No <webview>, no pop-ups, from any web contents: the window sets the same rules,
    // this catches contents created any other way.
    contents.on('will-attach-webview', (event) => event.preventDefault());
    contents.setWindowOpenHandler(() => ({ action: 'deny' }));
  });

  app.on('window-all-closed', () => app.quit());

  const shutdown = (): void => {
    unregister?.();
    unregister = null;
    if (context) closeAppContext(context);
    context = null;
  };
  // A running sync cycle must finish before the database closes under it: hold the quit
  // until the engine has stopped, then quit for real.
  let syncStopped = false;
  app.on('will-quit', (event) => {
    if (!syncStopped) {
      event.preventDefault();
      void stopSync().finally(() => {
        syncStopped = true;
        app.quit();
      });
      return;
    }
    shutdown();
  });

  app
    .whenReady()
    .then(() => {
      installMenu({ isPackaged: app.isPackaged, platform: process.platform });
      context = openAppContext({ dataDir: app.getPath('userData'), transport: 'ipc' });
      startSync(context, { tokenStore: safeStorageTokenStore(app.getPath('userData')) });
      unregister = registerIpc(createHandlers(context), { rendererDir: paths.rendererDir });
      window = createMainWindow(paths, { title: 'GridDesk', devTools: !app.isPackaged });
      window.on('closed', () => {
        window = null;
      });
    })
    .catch((error: unknown) => {
      // E.g. a data file from a newer version: say so and stop, never run half-started.
      log.error({ err: error }, 'start-up failed');
      shutdown();
      dialog.showErrorBox('GridDesk 无法启动', error instanceof Error ? error.message : String(error));
      // exit, not quit: no window exists and will-quit has already been done by hand.
      app.exit(1);
    });
}

main();
