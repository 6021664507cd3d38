import { spawn, type ChildProcess } from 'node:child_process';
import { join } from 'node:path';

// Starts and stops a browser-mode host on a data folder: used by the test fixture and by
// the screen tour script.

export const ROOT = join(import.meta.dirname, '..', '..');
const HOST_ENTRY = join(ROOT, 'electron/host/cli.ts');
const URL_PATTERN = /http:\/\/127\.0\.0\.1:\d+\/#token=\S+/;

export interface RunningHost {
  child: ChildProcess;
  url: string;
  /** The host's HTTP API, for arranging data a test or tour is not about. */
  call<T>(method: string, request?: unknown): Promise<T>;
}

export function startHost(dataDir: string): Promise<RunningHost> {
  const child = spawn(process.execPath, ['--import', 'tsx', HOST_ENTRY, '--data-dir', dataDir, '--port', '0'], {
    cwd: ROOT,
    stdio: ['ignore', 'pipe', 'pipe'],
  });
  return new Promise((resolve, reject) => {
    let output = '';
    const timer = setTimeout(() => reject(new Error(`host did not print its URL in time:\n${output}`)), 20_000);
    const onData = (chunk: Buffer) => {
      output += chunk.toString();
      const match = URL_PATTERN.exec(output);
      if (match) {
        clearTimeout(timer);
        resolve({ child, url: match[0], call: apiCaller(match[0]) });
      }
    };
    child.stdout?.on('data', onData);
    child.stderr?.on('data', (chunk: Buffer) => (output += chunk.toString()));
    child.once('exit', (code) => {
      clearTimeout(timer);
      reject(new Error(`host exited with ${code}:\n${output}`));
    });
  });
}

function apiCaller(url: string) {
  const origin = new URL(url).origin;
  const token = new URL(url).hash.replace('#token=', '');
  return async <T>(method: string, request: unknown = {}): Promise<T> => {
    const res = await fetch(`${origin}/api/${method}`, {
      method: 'POST',
      headers: { 'Content-Type': 'application/json', Authorization: `Bearer ${token}` },
      body: JSON.stringify(request),
    });
    const reply = (await res.json()) as { ok: true; result: T } | { ok: false; error: unknown };
    if (!reply.ok) throw new Error(`${method} failed: ${JSON.stringify(reply.error)}`);
    return reply.result;
  };
}

export function stopHost(child: ChildProcess): Promise<void> {
  if (child.exitCode !== null) return Promise.resolve();
  return new Promise((resolve) => {
    const force = setTimeout(() => child.kill('SIGKILL'), 5_000);
    child.once('exit', () => {
      clearTimeout(force);
      resolve();
    });
    child.kill('SIGTERM');
  });
}
