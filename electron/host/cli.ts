import { existsSync } from 'node:fs';
import { fileURLToPath } from 'node:url';
import { closeAppContext, openAppContext } from '../services/context';
import { createHandlers } from '../services';
import { defaultDataDir } from '../cli/data-dir';
import { parseArgs } from 'node:util';
import { startSync, stopSync } from '../sync';
import { startHost } from './server';

// `npm run web`: the main-process services behind a loopback HTTP host, for any browser.
const { values } = parseArgs({
  options: { 'data-dir': { type: 'string' }, port: { type: 'string', default: '5180' } },
  strict: true,
});
const port = Number(values.port);
if (!Number.isInteger(port) || port < 0 || port > 65535) {
  console.error(`GridDesk: --port must be a number from 0 to 65535, got ${values.port}`);
  process.exit(2);
}
const rendererDir = fileURLToPath(new URL('../../dist/renderer', import.meta.url));
if (!existsSync(`${rendererDir}/index.html`)) {
  console.error('GridDesk: the renderer is not built yet. Run: npm run build:renderer');
  process.exit(1);
}
const dataDir = values['data-dir'] ?? defaultDataDir();
const ctx = openAppContext({ dataDir, transport: 'http' });
startSync(ctx);
const host = await startHost({ handlers: createHandlers(ctx), rendererDir, port });
console.log(`GridDesk (browser mode) — data: ${dataDir}`);
console.log(`Open ${host.url}`);

const stop = () => {
  // Let a running sync cycle finish before the database closes under it.
  void stopSync()
    .then(() => host.close())
    .then(() => {
      closeAppContext(ctx);
      process.exit(0);
    });
};
process.on('SIGINT', stop);
process.on('SIGTERM', stop);
