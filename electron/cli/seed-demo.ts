import { existsSync, renameSync } from 'node:fs';
import { join } from 'node:path';
import { closeAppContext, openAppContext } from '../services/context';
import { demoStreetIndexFor, hasStreetData, seedDemo, type DemoScale } from '../demo/seed';
import { defaultDataDir, parseFlags } from './data-dir';

// `npm run seed:demo -- [--data-dir DIR] [--scale street|district] [--seed N] [--force]`
// Fills a data folder with synthetic Chang'an District data (fake people, valid codes).

const usage = 'usage: npm run seed:demo -- [--data-dir DIR] [--scale street|district] [--seed N] [--force]';

function fail(message: string): never {
  console.error(`GridDesk: ${message}`);
  process.exit(2);
}

let flags;
try {
  flags = parseFlags(process.argv.slice(2));
} catch (error) {
  fail(`${(error as Error).message}\n${usage}`);
}
const unknown = Object.keys(flags).filter((f) => !['data-dir', 'scale', 'seed', 'force'].includes(f));
if (unknown.length) fail(`unknown option --${unknown[0]}\n${usage}`);
const dataDir = typeof flags['data-dir'] === 'string' ? flags['data-dir'] : defaultDataDir();
const scale = (flags.scale ?? 'street') as DemoScale;
if (scale !== 'street' && scale !== 'district') fail(`--scale must be street or district\n${usage}`);
const seed = flags.seed === undefined ? 1 : Number(flags.seed);
if (!Number.isInteger(seed) || seed < 0) fail(`--seed must be a non-negative integer\n${usage}`);

const dbFile = join(dataDir, 'griddesk.sqlite');
if (flags.force === true && existsSync(dbFile)) {
  // Never delete someone's data: the old file is kept beside the new one.
  const aside = `${dbFile}.before-demo-${new Date().toISOString().replace(/[:.]/g, '-')}`;
  const probe = openAppContext({ dataDir, transport: 'http' });
  probe.db.pragma('wal_checkpoint(TRUNCATE)');
  closeAppContext(probe);
  renameSync(dbFile, aside);
  console.log(`Existing data moved aside: ${aside}`);
}

const ctx = openAppContext({ dataDir, transport: 'http' });
try {
  if (hasStreetData(ctx)) fail(`${dataDir} already has data (use --force to move it aside and start fresh)`);
  const streetIndex = demoStreetIndexFor(ctx);
  if (streetIndex === undefined) fail(`${dataDir} belongs to a street the demo does not know; seed an empty data folder instead`);
  if (scale === 'district' && streetIndex !== 0) fail('--scale district needs an empty data folder');
  console.log(`Seeding ${scale} scale demo data (seed ${seed}) into ${dataDir}`);
  const started = performance.now();
  const totals = seedDemo(ctx, {
    scale,
    seed,
    streetIndex,
    onStreet: (t, i, of) =>
      console.log(
        `[${String(i + 1).padStart(2)}/${of}] ${t.street}: ${t.communities} communities, ${t.grids} grids, ${t.people} people, ${t.assignments} assignments (${(t.ms / 1000).toFixed(1)} s)`,
      ),
  });
  const sum = (k: 'communities' | 'grids' | 'people' | 'assignments') => totals.reduce((n, t) => n + t[k], 0).toLocaleString('en-US');
  console.log(
    `Done: ${totals.length} streets, ${sum('communities')} communities, ${sum('grids')} grids, ${sum('people')} people, ${sum('assignments')} assignments in ${((performance.now() - started) / 1000).toFixed(1)} s`,
  );
} finally {
  closeAppContext(ctx);
}
