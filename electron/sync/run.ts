import type { SyncStatus } from '../../core/api/sync';
import type { Db } from '../store/db';
import type { Enrollment } from './state';
import type { SyncTransport } from './transport';

/** What one sync cycle works with; the engine builds it, the phases (push, pull, bootstrap) use it. */
export interface SyncRun {
  db: Db;
  transport: SyncTransport;
  enrollment: Enrollment;
  /** ISO time for issue rows and last-sync stamps. */
  now(): string;
  progress(phase: SyncStatus['progress']['phase'], done: number, total: number): void;
  /** Resolves after `ms`, or rejects when the engine stops. */
  sleep(ms: number): Promise<void>;
  backoffMs(failures: number): number;
}
