import { mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import type { MethodName } from '../core/api/contract';
import { issueEnrollmentCode } from '../server/admin/admin';
import { dispatch } from '../electron/dispatch';
import { createHandlers } from '../electron/services';
import { closeAppContext, openAppContext, type AppContext } from '../electron/services/context';
import { startSync, stopSync } from '../electron/sync';
import { memoryTokenStore } from '../electron/sync/token-store';
import { cachedStatement } from '../electron/store/statements';
import { benchStreet, type SyncEnv } from './sync-env';

// Freshness between two stations of one street, with the real engine on both (default options:
// 100 ms write coalescing, SSE, pull on notification): station A edits a person's phone through
// the app API; the time until station B's replica holds the new value is one sample.

const TIMEOUT_MS = 10_000;
const sleep = (ms: number): Promise<void> => new Promise((r) => setTimeout(r, ms));

async function call(ctx: AppContext, method: MethodName, request: unknown): Promise<unknown> {
  const reply = await dispatch(createHandlers(ctx), method, request);
  if (!reply.ok) throw new Error(`${method}: ${JSON.stringify(reply.error)}`);
  return reply.result;
}

async function until(check: () => boolean): Promise<boolean> {
  const deadline = performance.now() + TIMEOUT_MS;
  while (!check()) {
    if (performance.now() > deadline) return false;
    await sleep(1);
  }
  return true;
}

export async function freshness(env: SyncEnv, samples: number): Promise<number[]> {
  const street = await benchStreet(env);
  const dirs = [0, 1].map(() => mkdtempSync(join(tmpdir(), 'griddesk-bench-fresh-')));
  const [a, b] = dirs.map((dataDir) => openAppContext({ dataDir, transport: 'http' })) as [AppContext, AppContext];
  try {
    for (const [ctx, name] of [[a, 'A'], [b, 'B']] as const) {
      const engine = startSync(ctx, { tokenStore: memoryTokenStore() });
      await engine.enroll({ serverUrl: env.url, code: (await issueEnrollmentCode(env.db, street.code)).code, deviceName: `工作站${name}` });
      await engine.syncNow();
    }
    const person = (await call(a, 'people.create', { name: '新鲜度测试', orgUnitId: street.id })) as { id: string };
    const phoneOnB = cachedStatement(b.db, 'SELECT phone FROM person WHERE id = ?');
    if (!(await until(() => phoneOnB.get(person.id) !== undefined))) throw new Error('freshness: B never saw the new person');
    const latencies: number[] = [];
    for (let i = 0; i < samples; i++) {
      const phone = `1391234${String(1000 + i).slice(-4)}`;
      const started = performance.now();
      await call(a, 'people.update', { id: person.id, patch: { phone } });
      const seen = await until(() => (phoneOnB.get(person.id) as { phone: string } | undefined)?.phone === phone);
      latencies.push(seen ? performance.now() - started : TIMEOUT_MS);
      await sleep(50 + ((i * 37) % 100));
    }
    return latencies;
  } finally {
    await stopSync(a);
    await stopSync(b);
    closeAppContext(a);
    closeAppContext(b);
    for (const d of dirs) rmSync(d, { recursive: true, force: true });
  }
}
