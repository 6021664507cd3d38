import Database from 'better-sqlite3';
import { copyFileSync, existsSync, mkdirSync, readdirSync, renameSync, rmSync, statSync } from 'node:fs';
import { basename, dirname, isAbsolute, join, resolve } from 'node:path';
import type { ResponseOf } from '../../core/api/contract';
import { AppError } from '../../core/api/errors';
import { APPLICATION_ID, openDb, sqliteOptions } from '../store/db';
import { latestVersion } from '../store/migrate';
import { migrations } from '../store/migrations';
import { lastMutationId, raiseMutationFloor } from '../store/write';
import { createLogger } from '../log';
import type { AppContext } from './context';

const log = createLogger('backup');
type BackupEntry = ResponseOf<'backup.create'>;

export const backupDir = (ctx: AppContext): string => join(ctx.dataDir, 'backups');

function entry(path: string): BackupEntry {
  const stat = statSync(path);
  return { path, fileName: basename(path), bytes: stat.size, createdAt: stat.mtime.toISOString() };
}

/** griddesk-20250601T020000.sqlite; never the name of a file that exists. */
function stampedPath(ctx: AppContext, prefix: string): string {
  const stamp = ctx.now().toISOString().replace(/[-:]/g, '').replace(/\..*/, '');
  for (let n = 1; ; n++) {
    const path = join(backupDir(ctx), `${prefix}-${stamp}${n > 1 ? `-${n}` : ''}.sqlite`);
    if (!existsSync(path)) return path;
  }
}

export function listBackups(ctx: AppContext): BackupEntry[] {
  const dir = backupDir(ctx);
  let names: string[];
  try {
    names = readdirSync(dir);
  } catch {
    return [];
  }
  return names
    .filter((n) => n.endsWith('.sqlite'))
    .map((n) => entry(join(dir, n)))
    .sort((a, b) => b.createdAt.localeCompare(a.createdAt));
}

function resolveTarget(ctx: AppContext, path: string | undefined, prefix: string): string {
  const target = path ? (isAbsolute(path) ? path : resolve(backupDir(ctx), path)) : stampedPath(ctx, prefix);
  if (resolve(target) === resolve(ctx.dbFile)) throw new AppError('bad_request', 'backup.target_is_live_file');
  return target;
}

/** Online backup: the app keeps working while SQLite copies pages in steps. */
export async function createBackup(ctx: AppContext, path?: string, prefix = 'griddesk'): Promise<BackupEntry> {
  const target = resolveTarget(ctx, path, prefix);
  mkdirSync(dirname(target), { recursive: true });
  const partial = `${target}.partial`;
  await ctx.db.backup(partial);
  renameSync(partial, target);
  log.info({ file: basename(target) }, 'backup written');
  return entry(target);
}

/** Refuses a file that is not a sound GridDesk database this version can open. */
export function checkBackup(path: string): void {
  let db: Database.Database;
  try {
    db = new Database(path, sqliteOptions({ readonly: true, fileMustExist: true }));
  } catch {
    throw new AppError('bad_request', 'backup.unreadable');
  }
  try {
    if (db.pragma('application_id', { simple: true }) !== APPLICATION_ID) throw new AppError('bad_request', 'backup.not_griddesk');
    const version = db.pragma('user_version', { simple: true }) as number;
    if (version > latestVersion(migrations)) throw new AppError('bad_request', 'backup.newer_version', { version });
    const result = db.pragma('integrity_check', { simple: true });
    if (result !== 'ok') throw new AppError('bad_request', 'backup.corrupt');
  } catch (error) {
    if (error instanceof AppError) throw error;
    throw new AppError('bad_request', 'backup.unreadable');
  } finally {
    db.close();
  }
}

/**
 * Replaces the live data with a checked backup. The current data is first saved aside,
 * so a restore can itself be undone; the swap is a rename, never a half-copied file.
 */
export async function restoreBackup(ctx: AppContext, path: string): Promise<ResponseOf<'backup.restore'>> {
  const source = isAbsolute(path) ? path : resolve(backupDir(ctx), path);
  checkBackup(source);
  const safetyCopy = await createBackup(ctx, undefined, 'before-restore');
  const staged = `${ctx.dbFile}.restoring`;
  copyFileSync(source, staged);
  const mutationFloor = lastMutationId(ctx.db);
  ctx.db.close();
  try {
    for (const suffix of ['-wal', '-shm']) rmSync(`${ctx.dbFile}${suffix}`, { force: true });
    renameSync(staged, ctx.dbFile);
  } finally {
    ctx.db = openDb(ctx.dbFile);
    raiseMutationFloor(ctx.db, mutationFloor);
  }
  log.info({ from: basename(source), safetyCopy: safetyCopy.fileName }, 'restored');
  return { safetyCopy };
}
