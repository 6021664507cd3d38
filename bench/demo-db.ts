import { existsSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { seedDemo } from '../electron/demo/seed';
import { closeAppContext, openAppContext, type AppContext } from '../electron/services/context';
import { latestVersion } from '../electron/store/migrate';
import { migrations } from '../electron/store/migrations';

// The district-scale database the bench runs on. Seeding takes ~20 s, so it is kept in the
// temp folder and reused while seed, scale and schema version are the same; a marker file
// written after a complete seed tells a finished database from an interrupted one.

/**
 * GRIDDESK_BENCH_DIR points at another prepared copy instead, e.g. one with a candidate
 * index added by hand, to measure a schema change before writing its migration.
 */
export function openBenchDb(seed: number): { ctx: AppContext; dataDir: string; reused: boolean } {
  const dataDir = process.env.GRIDDESK_BENCH_DIR || join(tmpdir(), `griddesk-bench-district-seed${seed}-schema${latestVersion(migrations)}`);
  const marker = join(dataDir, 'seeded');
  const reused = existsSync(marker);
  if (!reused) {
    rmSync(dataDir, { recursive: true, force: true });
    const ctx = openAppContext({ dataDir, transport: 'http' });
    console.log(`Seeding the district-scale bench database in ${dataDir} …`);
    const started = performance.now();
    seedDemo(ctx, { scale: 'district', seed });
    ctx.db.pragma('optimize');
    closeAppContext(ctx);
    writeFileSync(marker, new Date().toISOString());
    console.log(`  seeded in ${((performance.now() - started) / 1000).toFixed(1)} s`);
  }
  return { ctx: openAppContext({ dataDir, transport: 'http' }), dataDir, reused };
}
