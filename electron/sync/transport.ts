import type {
  EnrollResponse,
  PullResponse,
  PushRequest,
  PushResponse,
  RecordRef,
  SnapshotChunk,
  SnapshotRecord,
  SnapshotManifest,
} from '../../core/sync/protocol';

// The engine talks to the district server only through this interface: the real one is HTTP
// (http-transport.ts); tests run the real server behind it, optionally through a fault proxy.

export interface SyncTransport {
  enroll(request: { code: string; deviceName: string }): Promise<EnrollResponse>;
  push(request: Omit<PushRequest, 'protocol' | 'schemaVersion'>): Promise<PushResponse>;
  pull(after: number, limit: number): Promise<PullResponse>;
  createSnapshot(): Promise<SnapshotManifest>;
  /** A chunk whose bytes matched their checksum (else SyncNetworkError 'snapshot_checksum'). */
  snapshotChunk(snapshotId: string, index: number): Promise<SnapshotChunk>;
  /** The street's records of these ids as the server holds them now; one it does not hold is left out. */
  records(refs: readonly RecordRef[]): Promise<SnapshotRecord[]>;
  /** Streams `seq` notifications until the stream ends, fails or `signal` aborts. */
  events(onSeq: (seq: number) => void, onOpen: () => void, signal: AbortSignal): Promise<void>;
}

/** The server answered with an error reply. */
export class SyncHttpError extends Error {
  constructor(
    readonly status: number,
    readonly code: string,
    readonly reason: string,
    /** From Retry-After on 429/503. */
    readonly retryAfterMs: number | null = null,
  ) {
    super(`HTTP ${status} ${code}: ${reason}`);
    this.name = 'SyncHttpError';
  }

  /** Worth retrying later: the server or the path to it is having a bad moment. */
  get transient(): boolean {
    return this.status >= 500 || this.status === 429 || this.status === 408;
  }
}

/** No usable answer: refused, reset, timed out, or a body that failed to parse or verify. */
export class SyncNetworkError extends Error {
  constructor(
    readonly reason: string,
    options?: { cause?: unknown },
  ) {
    super(reason, options);
    this.name = 'SyncNetworkError';
  }
}

/** A machine key for sync status / logs. */
export function errorReason(error: unknown): string {
  if (error instanceof SyncHttpError) return `http.${error.status}.${error.reason}`;
  if (error instanceof SyncNetworkError) return `network.${error.reason}`;
  return error instanceof Error && 'reason' in error ? String(error.reason) : 'internal';
}
