import { spawn, spawnSync, type ChildProcess } from 'node:child_process';
import { existsSync, readFileSync } from 'node:fs';
import { createRequire } from 'node:module';
import { dirname, join } from 'node:path';
import { fileURLToPath } from 'node:url';

// `npm start`: the desktop app. The Electron runtime is fetched on first use, and here that
// download is blocked — so this script finds out first and says so in one line, instead of
// the stack trace `require('electron')` would print.

const root = join(dirname(fileURLToPath(import.meta.url)), '..');
const require = createRequire(import.meta.url);

const UNAVAILABLE =
  'GridDesk: the Electron runtime is not available on this machine (its download is blocked). Use browser mode instead: npm run web';

/** The electron executable if it is installed, else null. Never downloads. */
export function findElectronBinary(): string | null {
  let packageDir: string;
  try {
    packageDir = dirname(require.resolve('electron/package.json'));
  } catch {
    return null;
  }
  const pathFile = join(packageDir, 'path.txt');
  const relative = existsSync(pathFile) ? readFileSync(pathFile, 'utf8').trim() : null;
  const override = process.env.ELECTRON_OVERRIDE_DIST_PATH;
  const binary = override ? join(override, relative ?? 'electron') : relative ? join(packageDir, 'dist', relative) : null;
  return binary && existsSync(binary) ? binary : null;
}

/** Runs electron's own installer quietly; resolves once it has finished or failed. */
function tryInstallElectron(): Promise<void> {
  const installer = join(dirname(require.resolve('electron/package.json')), 'install.js');
  return new Promise((resolve) => {
    const child: ChildProcess = spawn(process.execPath, [installer], { stdio: 'ignore' });
    // A real download takes a while: say what is happening, but only if it is happening.
    const notice = setTimeout(() => console.log('GridDesk: downloading the Electron runtime (first start only)…'), 3000);
    // A firewall that drops packets instead of refusing them must not hang `npm start`.
    const limit = setTimeout(() => child.kill(), 10 * 60_000);
    const done = (): void => {
      clearTimeout(notice);
      clearTimeout(limit);
      resolve();
    };
    child.on('exit', done);
    child.on('error', done);
  });
}

async function obtainElectron(): Promise<string | null> {
  const found = findElectronBinary();
  if (found) return found;
  await tryInstallElectron();
  return findElectronBinary();
}

function run(command: string, args: string[]): void {
  const result = spawnSync(command, args, { cwd: root, stdio: 'inherit', shell: process.platform === 'win32' });
  if (result.status !== 0) process.exit(result.status ?? 1);
}

async function start(): Promise<void> {
  const electron = await obtainElectron();
  if (!electron) {
    console.error(UNAVAILABLE);
    process.exit(1);
  }
  run('npm', ['run', '-s', 'build']);
  // Loaded only now: it pulls in esbuild, which the unavailable path does not need.
  const { buildNativeSqlite } = await import('./build-electron');
  let binding: string;
  try {
    binding = buildNativeSqlite();
  } catch (error) {
    console.error(`GridDesk: ${error instanceof Error ? error.message : String(error)}`);
    process.exit(1);
  }
  const env: NodeJS.ProcessEnv = { ...process.env, GRIDDESK_SQLITE_BINDING: binding };
  // Set by some shells and tools; it would start Electron as plain Node.
  delete env.ELECTRON_RUN_AS_NODE;
  const app = spawn(electron, [root, ...process.argv.slice(2)], { cwd: root, env, stdio: 'inherit' });
  app.on('exit', (code, signal) => process.exit(code ?? (signal ? 1 : 0)));
  for (const signal of ['SIGINT', 'SIGTERM'] as const) process.on(signal, () => app.kill(signal));
}

if (process.argv[1] && fileURLToPath(import.meta.url) === process.argv[1]) void start();
