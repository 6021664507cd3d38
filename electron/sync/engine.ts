import { AppError } from '../../core/api/errors';
import type { SyncStatus } from '../../core/api/sync';
import { PROTOCOL_VERSION, type RecordRef, type SnapshotRecord } from '../../core/sync/protocol';
import type { AppContext } from '../services/context';
import { latestVersion } from '../store/migrate';
import { migrations } from '../store/migrations';
import { cachedStatement } from '../store/statements';
import { createLogger } from '../log';
import { backoffDelay, DEFAULT_BACKOFF, type BackoffPolicy } from './backoff';
import { Batcher, START_BATCH } from './batcher';
import { bootstrap } from './bootstrap';
import { httpTransport } from './http-transport';
import { openIssueCounts } from './issues';
import { outboxCounts } from './outbox';
import { pullAll } from './pull';
import { pushAll } from './push';
import type { SyncRun } from './run';
import { syncState, type BuildVersions, type Enrollment } from './state';
import type { TokenStore } from './token-store';
import { DataDirBusy, lockForSync } from './data-dir-lock';
import { errorReason, SyncHttpError, SyncNetworkError, type SyncTransport } from './transport';

// One engine per replica. A cycle = bootstrap (until done) -> push -> pull. Never two cycles
// at once: a request during a cycle queues exactly one more. Triggers once started: a local
// write (poke), the 30 s timer, an SSE `seq` beyond our cursor, the event stream
// (re)connecting, and the backoff timer after a failure. Not enrolled = does nothing.

const log = createLogger('sync.engine');

/** An event stream that stayed open this long was a real one: its end resets the reconnect backoff. */
const SETTLED_STREAM_MS = 10_000;

export interface EngineOptions {
  tokenStore: TokenStore;
  /** Builds the transport for an enrollment's server; the default is HTTP. `stopped` aborts its requests. */
  transport?: (serverUrl: string, token: () => string | null, stopped: AbortSignal) => SyncTransport;
  backoff?: BackoffPolicy;
  pollMs?: number;
  /** Coalesces bursts of local writes into one cycle. */
  pokeDelayMs?: number;
  quarantineAfter?: number;
  batchStart?: number;
  /** Tests: pretend to be an older station. */
  protocolVersion?: number;
  schemaVersion?: number;
  /** Request timeouts of the default HTTP transport (docs/sync-protocol.md defaults). */
  timeouts?: { pushMs?: number; pullMs?: number; chunkMs?: number; eventsIdleMs?: number };
}

class Stopped extends Error {}

/**
 * The server's root as a station keeps it: the address as an admin may give it, with the API's
 * /v1, a query or a trailing slash on it, without them (the routes add their own /v1/…).
 */
export function serverRoot(address: string): string {
  const url = URL.parse(address.trim());
  if (!url || (url.protocol !== 'http:' && url.protocol !== 'https:')) throw new AppError('bad_request', 'sync.bad_server_url');
  url.pathname = url.pathname.replace(/\/+$/, '').replace(/\/v1$/i, '');
  url.search = '';
  url.hash = '';
  return url.toString().replace(/\/+$/, '');
}

export class SyncEngine {
  private readonly options: Required<Omit<EngineOptions, 'protocolVersion' | 'schemaVersion' | 'timeouts'>>;
  private readonly versions: BuildVersions;
  private readonly batcher: Batcher;
  private running: Promise<void> | null = null;
  private queued: Promise<void> | null = null;
  private started = false;
  private online = false;
  private failures = 0;
  private knownSeq = 0;
  /** Set from Retry-After: no request to the server before this time. */
  private notBefore = 0;
  private lastSeenMid = 0;
  private progress: SyncStatus['progress'] = { phase: 'idle', done: 0, total: 0 };
  private timers = new Set<NodeJS.Timeout>();
  private retryTimer: NodeJS.Timeout | null = null;
  private pokeTimer: NodeJS.Timeout | null = null;
  private abort = new AbortController();
  private events: Promise<void> | null = null;

  constructor(
    private readonly ctx: AppContext,
    options: EngineOptions,
  ) {
    this.versions = { protocol: options.protocolVersion ?? PROTOCOL_VERSION, schema: options.schemaVersion ?? latestVersion(migrations) };
    this.options = {
      transport: (serverUrl, token, stopped) =>
        httpTransport({
          serverUrl,
          token,
          stopped,
          schemaVersion: this.versions.schema,
          protocolVersion: this.versions.protocol,
          timeouts: options.timeouts,
        }),
      backoff: DEFAULT_BACKOFF,
      pollMs: 30_000,
      pokeDelayMs: 100,
      quarantineAfter: 3,
      batchStart: START_BATCH,
      ...options,
    };
    this.batcher = new Batcher(this.options.batchStart);
  }

  private get db() {
    return this.ctx.db;
  }

  private tooOld(): boolean {
    return syncState.clientTooOld(this.db, this.versions);
  }

  enrollment(): Enrollment | null {
    return syncState.enrollment(this.db);
  }

  /** `stopped`: the stop signal of the cycle or stream the transport serves. */
  private transportFor(serverUrl: string, stopped = this.abort.signal): SyncTransport {
    return this.options.transport(serverUrl, () => this.options.tokenStore.load(), stopped);
  }

  status(): SyncStatus {
    const e = this.enrollment();
    const outbox = outboxCounts(this.db);
    const lastError = syncState.lastError(this.db);
    return {
      enrolled: e !== null,
      online: this.online,
      serverUrl: e?.serverUrl ?? null,
      deviceId: e?.deviceId ?? null,
      deviceName: e?.deviceName ?? null,
      street: e ? { id: e.streetId, code: e.streetCode, name: e.streetName } : null,
      bootstrapped: syncState.bootstrapped(this.db),
      lastSyncAt: syncState.lastSyncAt(this.db),
      pending: outbox.pending,
      rejected: outbox.rejected,
      quarantined: outbox.quarantined,
      issues: openIssueCounts(this.db),
      progress: { ...this.progress },
      lastError,
      clientTooOld: this.tooOld(),
      // a missing token here (a locked keyring) is not a revocation: its own reason says so
      refused: lastError?.reason === 'http.401.device_revoked',
      cursor: syncState.cursor(this.db),
    };
  }

  /** Enrolls this replica with a one-time code; only an empty replica may join a street. */
  async enroll(input: { serverUrl: string; code: string; deviceName: string }): Promise<void> {
    if (this.enrollment()) throw new AppError('rule_violation', 'sync.already_enrolled');
    if (cachedStatement(this.db, 'SELECT 1 FROM org_unit LIMIT 1').get() !== undefined) {
      throw new AppError('rule_violation', 'sync.replica_not_empty');
    }
    // before the one-time code is spent: a token that cannot be kept would waste it
    if (!this.options.tokenStore.ready()) throw new AppError('rule_violation', 'sync.secure_storage_unavailable');
    const serverUrl = serverRoot(input.serverUrl);
    let reply;
    try {
      reply = await this.transportFor(serverUrl).enroll({ code: input.code, deviceName: input.deviceName });
    } catch (error) {
      if (error instanceof SyncHttpError && error.status === 401 && error.reason.startsWith('enrollment_code_')) {
        throw new AppError('rule_violation', `sync.${error.reason}`);
      }
      // something answers there, but not a district server's enroll route (a wrong path or port)
      if (error instanceof SyncHttpError && (error.status === 404 || error.status === 401)) throw new AppError('rule_violation', 'sync.not_a_server');
      if (error instanceof SyncHttpError && error.status === 426) throw new AppError('rule_violation', 'sync.client_too_old');
      if (error instanceof SyncHttpError && error.reason === 'protocol_newer_than_server') throw new AppError('rule_violation', 'sync.server_too_old');
      throw new AppError('rule_violation', 'sync.server_unreachable', { reason: errorReason(error) });
    }
    this.options.tokenStore.save(reply.token);
    syncState.setEnrollment(this.db, {
      serverUrl,
      deviceId: reply.deviceId,
      deviceName: input.deviceName,
      streetId: reply.scope.streetId,
      streetCode: reply.scope.streetCode,
      streetName: reply.scope.streetName,
    });
    this.online = true;
    log.info({ deviceId: reply.deviceId, street: reply.scope.streetCode }, 'enrolled');
    if (this.started) {
      this.startEvents();
      this.poke();
    }
  }

  /**
   * The street's records of these ids as the server holds them now: what giving up a change the
   * server never took puts back (resolve.ts recordsToAsk). Only the server knows it, so offline
   * the give-up waits.
   */
  async serverRecords(refs: readonly RecordRef[]): Promise<SnapshotRecord[]> {
    const e = this.enrollment();
    if (!e) throw new AppError('rule_violation', 'sync.not_enrolled');
    try {
      return await this.transportFor(e.serverUrl).records(refs);
    } catch (error) {
      // a district server older than this station, without the route
      if (error instanceof SyncHttpError && error.status === 404) throw new AppError('rule_violation', 'sync.server_too_old');
      throw new AppError('rule_violation', 'sync.give_up_needs_server', { reason: errorReason(error) });
    }
  }

  /** Runs a cycle now (or right after the running one) and resolves when it is done. */
  syncNow(): Promise<void> {
    if (this.running) {
      // a stop() in between drops it; one asked for after the stop runs
      const stopping = this.abort.signal;
      this.queued ??= this.running
        .catch(() => undefined)
        .then(() => {
          this.queued = null;
          return stopping.aborted ? undefined : this.syncNow();
        });
      return this.queued;
    }
    this.running = this.cycle().finally(() => {
      this.running = null;
    });
    return this.running;
  }

  /** A background cycle soon; failures are recorded in the status, not thrown. */
  poke(): void {
    if (!this.started || this.pokeTimer) return;
    this.pokeTimer = setTimeout(() => {
      this.pokeTimer = null;
      this.syncNow().catch(() => undefined);
    }, this.options.pokeDelayMs);
  }

  /** Called after every API call: a new change_log row means a local write to push. */
  noteLocalWrite(): void {
    if (!this.started || !this.enrollment()) return;
    const row = cachedStatement(this.db, 'SELECT max(seq) AS mid FROM change_log').get() as { mid: number | null };
    const mid = row.mid ?? 0;
    if (mid > this.lastSeenMid) {
      this.lastSeenMid = mid;
      this.poke();
    }
  }

  start(): void {
    if (this.started) return;
    this.started = true;
    this.abort = new AbortController();
    const poll = setInterval(() => this.poke(), this.options.pollMs);
    poll.unref();
    this.timers.add(poll);
    if (this.enrollment()) {
      this.startEvents();
      this.poke();
    }
  }

  async stop(): Promise<void> {
    this.started = false;
    // aborts waits and requests of the running cycle and the event stream; a cycle asked for
    // after the stop (the headless station, tests) runs under a signal of its own
    this.abort.abort();
    this.abort = new AbortController();
    for (const t of this.timers) clearInterval(t);
    this.timers.clear();
    if (this.retryTimer) clearTimeout(this.retryTimer);
    if (this.pokeTimer) clearTimeout(this.pokeTimer);
    this.retryTimer = this.pokeTimer = null;
    await Promise.allSettled([this.running, this.queued, this.events]);
  }

  /** Waits `ms`, or rejects with Stopped once `signal` (the stop signal of the caller's cycle or stream) aborts. */
  private sleep(ms: number, signal: AbortSignal): Promise<void> {
    return new Promise((resolve, reject) => {
      if (signal.aborted) return reject(new Stopped());
      const timer = setTimeout(() => {
        signal.removeEventListener('abort', onAbort);
        resolve();
      }, ms);
      const onAbort = (): void => {
        clearTimeout(timer);
        reject(new Stopped());
      };
      signal.addEventListener('abort', onAbort, { once: true });
    });
  }

  private async cycle(): Promise<void> {
    const enrollment = this.enrollment();
    if (!enrollment || this.tooOld()) return;
    const stopping = this.abort.signal;
    const run: SyncRun = {
      db: this.db,
      transport: this.transportFor(enrollment.serverUrl, stopping),
      enrollment,
      now: () => this.ctx.now().toISOString(),
      progress: (phase, done, total) => {
        this.progress = { phase, done, total };
      },
      sleep: (ms) => this.sleep(ms, stopping),
      backoffMs: (failures) => backoffDelay(this.options.backoff, failures),
    };
    let release: (() => void) | null = null;
    try {
      release = lockForSync(this.ctx.dataDir);
      const wait = this.notBefore - Date.now();
      if (wait > 0) await this.sleep(wait, stopping);
      if (!syncState.bootstrapped(this.db)) await bootstrap(run);
      const seq = await pushAll(run, { batcher: this.batcher, quarantineAfter: this.options.quarantineAfter });
      this.knownSeq = Math.max(this.knownSeq, seq);
      await pullAll(run, this.knownSeq);
      this.online = true;
      this.failures = 0;
      syncState.setLastSyncAt(this.db, run.now());
      syncState.setLastError(this.db, null);
    } catch (error) {
      // stopped: a wait or a request was cut short, nothing failed
      if (error instanceof Stopped || stopping.aborted) return;
      this.failed(error, run.now());
      throw error;
    } finally {
      release?.();
      this.progress = { phase: 'idle', done: 0, total: 0 };
    }
  }

  private failed(error: unknown, at: string): void {
    const reason = errorReason(error);
    syncState.setLastError(this.db, { reason, at });
    this.online = !(error instanceof SyncNetworkError);
    if (error instanceof SyncHttpError && error.status === 426) {
      // the server will not talk to this version: stop, keep every pending change for later
      syncState.setClientTooOld(this.db, this.versions);
      log.warn('server says this station is too old; sync stopped, outbox kept');
      return;
    }
    const expected = error instanceof SyncHttpError || error instanceof SyncNetworkError || error instanceof DataDirBusy;
    if (!expected) log.error({ err: error }, 'sync cycle failed');
    else log.warn({ reason }, 'sync cycle failed');
    if (!this.started) return;
    const retryAfter = error instanceof SyncHttpError ? error.retryAfterMs : null;
    if (retryAfter !== null) this.notBefore = Date.now() + retryAfter;
    const delay = retryAfter ?? backoffDelay(this.options.backoff, this.failures++);
    if (this.retryTimer) clearTimeout(this.retryTimer);
    this.retryTimer = setTimeout(() => {
      this.retryTimer = null;
      this.syncNow().catch(() => undefined);
    }, delay);
  }

  /** Keeps one event stream open; each `seq` beyond our cursor triggers a pull. */
  private startEvents(): void {
    if (this.events || !this.started) return;
    const signal = this.abort.signal;
    const loop = async (): Promise<void> => {
      let failures = 0;
      while (this.started && !signal.aborted) {
        const e = this.enrollment();
        if (!e || this.tooOld()) return;
        let openedAt: number | null = null;
        let retryAfterMs: number | null = null;
        try {
          await this.transportFor(e.serverUrl, signal).events(
            (seq) => {
              failures = 0;
              this.knownSeq = Math.max(this.knownSeq, seq);
              if (seq > syncState.cursor(this.db)) this.poke();
            },
            () => {
              // (re)connected: whatever happened while we were away gets pushed and pulled
              openedAt = Date.now();
              this.online = true;
              this.poke();
            },
            signal,
          );
        } catch (error) {
          if (signal.aborted) return;
          if (error instanceof SyncNetworkError) this.online = false;
          if (error instanceof SyncHttpError && error.status === 426) return;
          if (error instanceof SyncHttpError) retryAfterMs = error.retryAfterMs;
        }
        // Opening is not enough to count as healthy: a stream that ends as soon as it opens (a
        // proxy closing it) would otherwise reconnect, and sync, twice a second for good.
        if (openedAt !== null && Date.now() - openedAt >= SETTLED_STREAM_MS) failures = 0;
        try {
          await this.sleep(retryAfterMs ?? backoffDelay(this.options.backoff, failures++), signal);
        } catch {
          return;
        }
      }
    };
    this.events = loop().finally(() => {
      this.events = null;
    });
  }
}
