import { spawn } from 'node:child_process';
import { fileURLToPath } from 'node:url';
import { pullResponse } from '../core/sync/protocol';
import { benchDevice, benchStreet, VERSION_HEADERS, type BenchDevice, type SyncEnv } from './sync-env';

// Empty pulls under many pollers: 25 streets × 5 stations, every station at the head of its
// street's log, all polling one server. The pollers run in a child process (sync-poll-child.ts).

export interface PollResult {
  requests: number;
  failures: number;
  wallMs: number;
  p50: number;
  p95: number;
  p99: number;
  max: number;
}

export async function pollers(env: SyncEnv, streets: number, perStreet: number): Promise<{ token: string; after: number }[]> {
  const devices: BenchDevice[] = [];
  for (let s = 0; s < streets; s++) {
    const street = await benchStreet(env);
    for (let d = 0; d < perStreet; d++) devices.push(await benchDevice(env, street, `工作站${d + 1}`));
  }
  return Promise.all(
    devices.map(async (d) => {
      const response = await fetch(`${env.url}/v1/pull?after=0&limit=5000`, { headers: { ...VERSION_HEADERS, authorization: `Bearer ${d.token}` } });
      return { token: d.token, after: pullResponse.parse(await response.json()).cursor };
    }),
  );
}

export function poll(url: string, list: { token: string; after: number }[], rounds: number, intervalMs: number): Promise<PollResult> {
  const child = spawn(process.execPath, ['--import', 'tsx', fileURLToPath(new URL('./sync-poll-child.ts', import.meta.url))], {
    stdio: ['pipe', 'pipe', 'inherit'],
  });
  child.stdin.end(JSON.stringify({ url, headers: VERSION_HEADERS, pollers: list, rounds, intervalMs }));
  let out = '';
  child.stdout.on('data', (d: Buffer) => (out += d.toString()));
  return new Promise((resolve, reject) => {
    child.on('error', reject);
    child.on('close', (code) => {
      if (code !== 0) return reject(new Error(`poll child exited ${code}`));
      resolve(JSON.parse(out.trim().split('\n').pop() ?? '{}') as PollResult);
    });
  });
}
