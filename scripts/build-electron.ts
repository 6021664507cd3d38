import { build, type BuildOptions } from 'esbuild';
import { spawnSync } from 'node:child_process';
import { cpSync, existsSync, readFileSync, rmSync, writeFileSync } from 'node:fs';
import { createRequire } from 'node:module';
import { dirname, join } from 'node:path';
import { fileURLToPath } from 'node:url';

// Bundles the two Electron entry points. Both are CommonJS: a sandboxed preload cannot be
// an ES module, and the main bundle keeps `require` for the native better-sqlite3 addon.
// Everything else (zod, pino, the services) is bundled, so the app needs no node_modules
// at runtime except better-sqlite3.

const root = join(dirname(fileURLToPath(import.meta.url)), '..');
const outdir = join(root, 'dist-electron');

const common: BuildOptions = {
  bundle: true,
  platform: 'node',
  format: 'cjs',
  // Electron 45 ships Node 22 / Chromium 140.
  target: 'node22',
  sourcemap: true,
  legalComments: 'none',
  logLevel: 'warning',
  define: { 'process.env.NODE_ENV': '"production"' },
};

export async function buildElectron(): Promise<void> {
  rmSync(outdir, { recursive: true, force: true });
  await Promise.all([
    build({
      ...common,
      entryPoints: [join(root, 'electron/main.ts')],
      outfile: join(outdir, 'main.cjs'),
      external: ['electron', 'better-sqlite3'],
    }),
    build({
      ...common,
      // The preload runs in the renderer's sandbox, where only a few Node/Electron modules
      // exist; it imports nothing but 'electron'.
      platform: 'browser',
      target: 'chrome140',
      entryPoints: [join(root, 'electron/preload.ts')],
      outfile: join(outdir, 'preload.cjs'),
      external: ['electron'],
    }),
  ]);
}

const require = createRequire(import.meta.url);

/** Where the Electron-ABI better-sqlite3 addon is built; start.ts and electron-builder.yml read it. */
export const NATIVE_DIR = join(root, '.electron-native', 'better-sqlite3');
export const NATIVE_BINDING = join(NATIVE_DIR, 'build', 'Release', 'better_sqlite3.node');

const versionOf = (pkg: string): string => (JSON.parse(readFileSync(require.resolve(`${pkg}/package.json`), 'utf8')) as { version: string }).version;

/**
 * Compiles better-sqlite3 for Electron's ABI in a copy of the package, so node_modules keeps
 * the Node build that the tests and browser mode load. Skipped when the stamp says the
 * binary already matches both versions. Returns the addon's path.
 */
export function buildNativeSqlite(): string {
  const electronVersion = versionOf('electron');
  const sqliteVersion = versionOf('better-sqlite3');
  const stamp = `electron ${electronVersion} better-sqlite3 ${sqliteVersion} ${process.platform}-${process.arch}`;
  const stampFile = join(NATIVE_DIR, '.griddesk-stamp');
  if (existsSync(NATIVE_BINDING) && existsSync(stampFile) && readFileSync(stampFile, 'utf8') === stamp) return NATIVE_BINDING;

  rmSync(NATIVE_DIR, { recursive: true, force: true });
  cpSync(dirname(require.resolve('better-sqlite3/package.json')), NATIVE_DIR, { recursive: true });
  rmSync(join(NATIVE_DIR, 'build'), { recursive: true, force: true });

  // npm passes ~/.npmrc as npm_config_* variables; a nodedir there (the local Node headers)
  // would silently win over --target and build the Node ABI again.
  const env = Object.fromEntries(
    Object.entries(process.env).filter(([key]) => !/^npm_config_(nodedir|target|runtime|disturl|dist_url)$/i.test(key)),
  );
  console.log(`building better-sqlite3 ${sqliteVersion} for Electron ${electronVersion} in .electron-native/ …`);
  const gyp = spawnSync(
    process.execPath,
    [
      require.resolve('node-gyp/bin/node-gyp.js'),
      'rebuild',
      '--release',
      '--runtime=electron',
      `--target=${electronVersion}`,
      '--dist-url=https://electronjs.org/headers',
    ],
    { cwd: NATIVE_DIR, env, stdio: 'inherit' },
  );
  if (gyp.status !== 0 || !existsSync(NATIVE_BINDING)) {
    throw new Error(`building better-sqlite3 for Electron ${electronVersion} failed (node-gyp exit ${gyp.status ?? gyp.signal})`);
  }
  writeFileSync(stampFile, stamp);
  return NATIVE_BINDING;
}

if (process.argv[1] && fileURLToPath(import.meta.url) === process.argv[1]) {
  // --native: also build the Electron-ABI sqlite addon (needed before electron-builder).
  const withNative = process.argv.includes('--native');
  buildElectron()
    .then(() => (withNative ? buildNativeSqlite() : undefined))
    .then(
      () => console.log(`built dist-electron/${withNative ? ' and .electron-native/' : ''}`),
      (error: unknown) => {
        console.error(error instanceof Error ? error.message : error);
        process.exit(1);
      },
    );
}
