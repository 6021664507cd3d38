import { hostname } from 'node:os';
import { AppError } from '../../core/api/errors';
import type { SyncStatus } from '../../core/api/sync';
import { closeAppContext, openAppContext } from '../services/context';
import { syncEngineFor } from '../sync';
import { defaultDataDir, parseCommandLine } from './data-dir';

// `npm run station -- [--data-dir DIR] <enroll --server URL --code CODE [--name N] | sync | status> [--json]`
// Headless station: enrolls this data folder with the district server, runs one sync cycle, or
// prints the sync status. The token goes to <data-dir>/device-token (0600).

const USAGE = 'usage: npm run station -- [--data-dir DIR] <enroll --server URL --code CODE [--name NAME] | sync | status> [--json]';
const { positionals, values } = parseCommandLine(
  {
    allowPositionals: true,
    options: {
      'data-dir': { type: 'string' },
      server: { type: 'string' },
      code: { type: 'string' },
      name: { type: 'string' },
      json: { type: 'boolean', default: false },
    },
  },
  USAGE,
);
const [command] = positionals;
if (command !== 'enroll' && command !== 'sync' && command !== 'status') {
  console.error(USAGE);
  process.exit(2);
}
if (command === 'enroll' && (!values.server || !values.code)) {
  console.error(`GridDesk: enroll needs --server URL and --code CODE\n${USAGE}`);
  process.exit(2);
}

function print(status: SyncStatus): void {
  if (values.json) {
    console.log(JSON.stringify(status, null, 2));
    return;
  }
  if (!status.enrolled) {
    console.log('not enrolled');
    return;
  }
  const lines = [
    `server      ${status.serverUrl}`,
    `street      ${status.street?.code} ${status.street?.name}`,
    `device      ${status.deviceId} "${status.deviceName}"`,
    `state       ${status.refused ? 'refused: the server no longer takes this station (revoked?)' : status.clientTooOld ? 'client too old: update GridDesk' : status.bootstrapped ? 'ready' : 'bootstrap incomplete'}`,
    `last sync   ${status.lastSyncAt ?? 'never'}`,
    `cursor      ${status.cursor}`,
    `pending     ${status.pending}`,
    `issues      ${status.issues.rejection} rejected, ${status.issues.conflict} conflicts, ${status.issues.quarantine} quarantined`,
    `last error  ${status.lastError ? `${status.lastError.reason} (${status.lastError.at})` : '-'}`,
  ];
  console.log(lines.join('\n'));
}

const ctx = openAppContext({ dataDir: values['data-dir'] ?? defaultDataDir(), transport: 'http' });
const engine = syncEngineFor(ctx);
try {
  if (command === 'enroll') {
    await engine.enroll({ serverUrl: values.server!, code: values.code!, deviceName: values.name ?? hostname() });
    await engine.syncNow();
  } else if (command === 'sync') {
    if (!engine.enrollment()) throw new AppError('rule_violation', 'sync.not_enrolled');
    await engine.syncNow();
  }
  print(engine.status());
} catch (error) {
  if (command !== 'status') print(engine.status());
  const message = error instanceof AppError ? `${error.reason}${Object.keys(error.details).length ? ` ${JSON.stringify(error.details)}` : ''}` : error instanceof Error ? error.message : String(error);
  console.error(`GridDesk: ${message}`);
  process.exitCode = 1;
} finally {
  closeAppContext(ctx);
}
