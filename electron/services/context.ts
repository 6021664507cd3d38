import { join } from 'node:path';
import { todayInChina } from '../../core/domain/common';
import { openDb, type Db } from '../store/db';

/** What every service works with. `db` is swapped in place by a restore. */
export interface AppContext {
  dataDir: string;
  dbFile: string;
  db: Db;
  transport: 'ipc' | 'http';
  now(): Date;
}

export function openAppContext(options: { dataDir: string; transport: 'ipc' | 'http'; now?: () => Date }): AppContext {
  const dbFile = join(options.dataDir, 'griddesk.sqlite');
  return { dataDir: options.dataDir, dbFile, db: openDb(dbFile), transport: options.transport, now: options.now ?? (() => new Date()) };
}

export function closeAppContext(ctx: AppContext): void {
  if (ctx.db.open) ctx.db.close();
}

export const timestamp = (ctx: AppContext): string => ctx.now().toISOString();
export const today = (ctx: AppContext): string => todayInChina(ctx.now());
