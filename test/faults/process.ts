import { spawn, type ChildProcess } from 'node:child_process';
import { syncEngineFor } from '../../electron/sync';
import { QUIET } from '../helpers/server-process';
import { stationAt } from '../helpers/station';
import type { SyncStation } from '../sync/harness';

// Child processes for the fault tests: the headless station (so SIGKILL is a real crash) and a
// replica reopened from its folder. The district server process is ../helpers/server-process.ts.

export function tsx(script: string, args: string[], env: NodeJS.ProcessEnv = QUIET): ChildProcess {
  return spawn(process.execPath, ['--import', 'tsx', script, ...args], { env, stdio: ['ignore', 'pipe', 'pipe'] });
}

/** A replica on an existing data folder (e.g. one a killed station process left), with an idle engine. */
export function syncStationAt(dataDir: string): SyncStation {
  const station = stationAt(dataDir);
  return { ...station, engine: syncEngineFor(station.ctx) };
}
