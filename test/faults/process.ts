import { spawn, type ChildProcess } from 'node:child_process';
import { syncEngineFor } from '../../electron/sync';
import { stationAt } from '../helpers/station';
import type { SyncStation } from '../sync/harness';

// Helpers for the process-level fault tests: the headless station and the district server as
// child processes (so SIGKILL is a real crash), and a replica reopened from its folder.

export const QUIET = { ...process.env, GRIDDESK_LOG_LEVEL: 'silent' };

export function tsx(script: string, args: string[], env: NodeJS.ProcessEnv = QUIET): ChildProcess {
  return spawn(process.execPath, ['--import', 'tsx', script, ...args], { env, stdio: ['ignore', 'pipe', 'pipe'] });
}

export function exited(child: ChildProcess): Promise<number | null> {
  if (child.exitCode !== null || child.signalCode !== null) return Promise.resolve(child.exitCode);
  return new Promise((resolve) => child.once('exit', (code) => resolve(code)));
}

/** Resolves once the child printed `pattern` on stdout. */
export function printed(child: ChildProcess, pattern: RegExp, timeoutMs = 20_000): Promise<void> {
  return new Promise((resolve, reject) => {
    let out = '';
    const timer = setTimeout(() => reject(new Error(`no ${pattern} within ${timeoutMs} ms: ${out}`)), timeoutMs);
    child.stdout?.on('data', (chunk: Buffer) => {
      out += chunk.toString('utf8');
      if (pattern.test(out)) {
        clearTimeout(timer);
        resolve();
      }
    });
    child.once('exit', (code) => {
      clearTimeout(timer);
      reject(new Error(`exited ${code} before ${pattern}: ${out}`));
    });
  });
}

/** A replica on an existing data folder (e.g. one a killed station process left), with an idle engine. */
export function syncStationAt(dataDir: string): SyncStation {
  const station = stationAt(dataDir);
  return { ...station, engine: syncEngineFor(station.ctx) };
}
