import type { AppContext } from '../services/context';
import { SyncEngine, type EngineOptions } from './engine';
import { fileTokenStore, type TokenStore } from './token-store';

// One sync engine per open replica. The hosts start it (electron/main.ts with the safeStorage
// token store, electron/host/cli.ts with the file store); the API handlers find it here. An
// engine nobody started answers status and enrollment but runs no timers.

const engines = new WeakMap<AppContext, SyncEngine>();
const running = new Set<SyncEngine>();

export function syncEngineFor(ctx: AppContext, options?: Partial<EngineOptions>): SyncEngine {
  let engine = engines.get(ctx);
  if (!engine) {
    engine = new SyncEngine(ctx, { tokenStore: fileTokenStore(ctx.dataDir), ...options });
    engines.set(ctx, engine);
  }
  return engine;
}

/** Starts background sync for a replica (it stays idle until the replica is enrolled). */
export function startSync(ctx: AppContext, options: { tokenStore?: TokenStore } & Partial<EngineOptions> = {}): SyncEngine {
  if (engines.has(ctx) && Object.keys(options).length > 0) throw new Error('startSync: the engine already exists; pass options on the first call');
  const engine = syncEngineFor(ctx, options);
  engine.start();
  running.add(engine);
  return engine;
}

/** Stops timers and the event stream (of one replica, or of all), and waits for a running cycle to end. */
export async function stopSync(ctx?: AppContext): Promise<void> {
  const targets = ctx ? [engines.get(ctx)].filter((e): e is SyncEngine => e !== undefined) : [...running];
  for (const e of targets) running.delete(e);
  await Promise.all(targets.map((e) => e.stop()));
}

export { SyncEngine } from './engine';
export type { TokenStore } from './token-store';
