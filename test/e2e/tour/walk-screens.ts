import { spawnSync } from 'node:child_process';
import { cpSync, existsSync, mkdirSync, mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { parseArgs } from 'node:util';
import { chromium, type Browser } from '@playwright/test';
import { ROOT, startHost, stopHost } from '../host';
import { TOUR_STEPS, type TourContext } from './steps';

// Walks every screen as a street clerk would, on the street-scale demo data, and saves a
// screenshot per step for each viewport and language, with the time each step took.
//   npx tsx test/e2e/tour/walk-screens.ts [--out DIR] [--only grids,roster] [--docs]
// --docs also writes the user guide's pictures (zh-CN, 1366x768) to docs/screenshots/.

const { values } = parseArgs({
  options: {
    out: { type: 'string', default: join(ROOT, 'test-results', 'tour') },
    only: { type: 'string' },
    docs: { type: 'boolean', default: false },
    viewports: { type: 'string', default: '1366x768,1920x1080' },
    locales: { type: 'string', default: 'zh-CN,en-US' },
  },
});

const DEBIAN_CHROMIUM = '/usr/bin/chromium';
const only = values.only ? new Set(values.only.split(',')) : null;
const viewports = values.viewports.split(',').map((v) => {
  const [width, height] = v.split('x').map(Number);
  return { width: width ?? 1366, height: height ?? 768 };
});
const locales = values.locales.split(',') as ('zh-CN' | 'en-US')[];

function seededCopy(): string {
  // Seed once into a cache folder, then give each run a fresh copy: the tour may open forms.
  const cache = join(tmpdir(), 'griddesk-tour-seed');
  if (!existsSync(join(cache, 'griddesk.sqlite'))) {
    const run = spawnSync(process.execPath, ['--import', 'tsx', join(ROOT, 'electron/cli/seed-demo.ts'), '--data-dir', cache], { cwd: ROOT, stdio: 'inherit' });
    if (run.status !== 0) throw new Error('seeding the demo data failed');
  }
  const dir = mkdtempSync(join(tmpdir(), 'griddesk-tour-'));
  cpSync(cache, dir, { recursive: true });
  return dir;
}

async function walk(browser: Browser, url: string, ctx: Omit<TourContext, 'page' | 'locale'>, locale: 'zh-CN' | 'en-US', size: { width: number; height: number }, out: string) {
  const context = await browser.newContext({ viewport: size, locale, timezoneId: 'Asia/Shanghai' });
  const page = await context.newPage();
  await page.goto(url);
  await page.getByTestId('app-title').waitFor();
  mkdirSync(out, { recursive: true });
  for (const step of TOUR_STEPS) {
    if (only && !only.has(step.name)) continue;
    const started = Date.now();
    await step.run({ ...ctx, page, locale });
    const ms = Date.now() - started;
    await page.waitForTimeout(400);
    const file = join(out, `${step.name}.png`);
    await page.screenshot({ path: file, style: '.ant-message { display: none !important; }' });
    console.log(`${locale} ${size.width}x${size.height} ${step.name.padEnd(22)} ${String(ms).padStart(6)} ms`);
    if (values.docs && locale === 'zh-CN' && size.width === 1366 && step.docs) {
      await page.screenshot({ path: join(ROOT, 'docs', 'screenshots', `${step.docs}.png`), style: '.ant-message { display: none !important; }' });
    }
  }
  await context.close();
}

const dataDir = seededCopy();
const host = await startHost(dataDir);
const browser = await chromium.launch({
  ...(existsSync(DEBIAN_CHROMIUM) ? { executablePath: DEBIAN_CHROMIUM } : {}),
  args: ['--no-sandbox', '--disable-gpu'],
});
try {
  if (values.docs) mkdirSync(join(ROOT, 'docs', 'screenshots'), { recursive: true });
  const units = await host.call<{ id: string; code: string; name: string; level: string; parentId: string | null }[]>('org.tree');
  const street = units.find((u) => u.level === 'street');
  const community = units.find((u) => u.level === 'community' && u.parentId === street?.id);
  if (!street || !community) throw new Error('the demo data has no street with communities');
  // One retired micro grid, so the search shows how a retired grid is marked.
  const micro = (await host.call<{ id: string; name: string; level: string }[]>('grid.tree', { orgUnitId: community.id })).find((g) => g.level === 'micro');
  if (!micro) throw new Error('the demo community has no micro grid');
  await host.call('grid.retire', { id: micro.id, validTo: '2024-06-30', reason: '并入相邻微网格' });
  const retiredName = micro.name;
  for (const locale of locales) {
    await host.call('app.setLocale', { locale });
    for (const size of viewports) {
      await walk(browser, host.url, { street, community, retiredName, call: host.call }, locale, size, join(values.out, `${locale}-${size.width}x${size.height}`));
    }
  }
} finally {
  await browser.close();
  await stopHost(host.child);
  rmSync(dataDir, { recursive: true, force: true });
}
