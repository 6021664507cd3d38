import { v4 as uuid } from 'uuid';
import type { ImportJob, ImportRowProblem, TransferKind } from '../../../core/api/areas';
import { AppError, notFound, ruleViolation } from '../../../core/api/errors';
import { createLogger } from '../../log';
import type { AppContext } from '../context';
import { applyGridRow, gridColumnOfReason } from './grid-rows';
import { appErrorIssue, RowRejected, type RowIssue } from './row-problems';
import { applyRosterRow, rosterColumnOfReason } from './roster-rows';
import { openDataSheet, readRow, UnreadableWorkbook, type SheetRow } from './workbook';

// Import = read (async, chunked) -> dry run (one transaction, rolled back) -> commit (one
// transaction, all or nothing). Jobs live in memory only: an import is a short, attended
// operation, and the file itself is the clerk's copy.

const log = createLogger('transfer');

export const JOB_TTL_MS = 30 * 60_000;
export const MAX_JOBS = 20;
/** Rows read between two yields to the event loop while parsing. */
const READ_CHUNK = 500;
/** A file that is wrong everywhere would otherwise carry a report as large as itself. */
export const MAX_PROBLEMS = 1000;

interface SheetLine {
  row: number;
  cells: SheetRow;
}

interface JobEntry {
  job: ImportJob;
  lines: SheetLine[];
  /** Excel row numbers that passed the dry run. */
  valid: Set<number>;
  touchedAt: number;
}

const APPLY: Record<TransferKind, (ctx: AppContext, cells: SheetRow) => void> = { grids: applyGridRow, roster: applyRosterRow };
const COLUMN_OF_REASON: Record<TransferKind, (reason: string) => string | null> = { grids: gridColumnOfReason, roster: rosterColumnOfReason };

/** Thrown at the end of the dry run so better-sqlite3 rolls the whole transaction back. */
class DryRunDone extends Error {}

function issuesOf(kind: TransferKind, error: unknown, cells: SheetRow): RowIssue[] {
  if (error instanceof RowRejected) return error.issues;
  if (error instanceof AppError) return [appErrorIssue(kind, error, COLUMN_OF_REASON[kind], cells)];
  // Not a rule we know (a constraint the services did not foresee): the row is refused,
  // the file goes on, and the log keeps the cause.
  log.error({ err: error }, 'import row failed unexpectedly');
  return [{ column: null, reason: 'import.row_failed', value: null }];
}

export class ImportJobs {
  private readonly jobs = new Map<string, JobEntry>();

  constructor(private readonly ctx: AppContext) {}

  start(kind: TransferKind, fileName: string, base64: string): ImportJob {
    this.sweep();
    if (this.jobs.size >= MAX_JOBS) this.evictFinished();
    if (this.jobs.size >= MAX_JOBS) throw ruleViolation('import.too_many_jobs', { max: MAX_JOBS });
    const job: ImportJob = {
      id: uuid(),
      kind,
      fileName,
      state: 'reading',
      processed: 0,
      total: 0,
      validRows: 0,
      problems: [],
      imported: 0,
      error: null,
    };
    const entry: JobEntry = { job, lines: [], valid: new Set(), touchedAt: Date.now() };
    this.jobs.set(job.id, entry);
    void this.read(entry, Buffer.from(base64, 'base64')).catch((error: unknown) => {
      log.error({ jobId: job.id, err: error }, 'import failed unexpectedly');
      this.fail(entry, 'import.internal');
    });
    return { ...job };
  }

  get(id: string): ImportJob {
    return { ...this.entry(id).job };
  }

  cancel(id: string): ImportJob {
    const entry = this.entry(id);
    if (entry.job.state === 'reading' || entry.job.state === 'validated') entry.job.state = 'cancelled';
    this.jobs.delete(id);
    return { ...entry.job };
  }

  /** Writes the rows the dry run accepted, in one transaction; any failure now writes nothing. */
  commit(id: string): ImportJob {
    const entry = this.entry(id);
    const { job } = entry;
    if (job.state !== 'validated') throw new AppError('conflict', 'import.not_validated', { state: job.state });
    job.state = 'importing';
    const rows = entry.lines.filter((l) => entry.valid.has(l.row));
    let current: SheetLine | null = null;
    try {
      this.ctx.db.transaction(() => {
        for (const line of rows) {
          current = line;
          APPLY[job.kind](this.ctx, line.cells);
        }
      })();
    } catch (error) {
      // Something changed since the dry run (a grid retired, a person added elsewhere):
      // the transaction is rolled back, and the row that broke is shown.
      const line = current as SheetLine | null;
      job.problems = line ? issuesOf(job.kind, error, line.cells).map((i) => ({ row: line.row, ...i })) : [];
      this.fail(entry, 'import.commit_failed');
      log.warn({ jobId: job.id, row: line?.row }, 'import commit rolled back');
      return { ...job };
    }
    job.state = 'done';
    job.imported = rows.length;
    entry.lines = [];
    entry.touchedAt = Date.now();
    log.info({ jobId: job.id, kind: job.kind, imported: job.imported }, 'import committed');
    return { ...job };
  }

  private entry(id: string): JobEntry {
    this.sweep();
    const entry = this.jobs.get(id);
    if (!entry) throw notFound('import_job', id);
    entry.touchedAt = Date.now();
    return entry;
  }

  private sweep(): void {
    const now = Date.now();
    for (const [id, entry] of this.jobs) if (now - entry.touchedAt > JOB_TTL_MS) this.jobs.delete(id);
  }

  /** Makes room by dropping the oldest job nobody is waiting on any more. */
  private evictFinished(): void {
    const finished = [...this.jobs.values()]
      .filter((e) => e.job.state === 'done' || e.job.state === 'failed')
      .sort((a, b) => a.touchedAt - b.touchedAt);
    const oldest = finished[0];
    if (oldest) this.jobs.delete(oldest.job.id);
  }

  private fail(entry: JobEntry, reason: string): void {
    entry.job.state = 'failed';
    entry.job.error = reason;
    entry.lines = [];
  }

  private async read(entry: JobEntry, bytes: Buffer): Promise<void> {
    const { job } = entry;
    let opened;
    try {
      opened = await openDataSheet(job.kind, bytes);
    } catch (error) {
      if (error instanceof UnreadableWorkbook) return this.fail(entry, error.reason);
      throw error;
    }
    const { sheet, columnOf } = opened;
    const last = sheet.rowCount;
    job.total = Math.max(0, last - 1);
    for (let start = 2; start <= last; start += READ_CHUNK) {
      if (job.state !== 'reading') return; // cancelled meanwhile
      const end = Math.min(last, start + READ_CHUNK - 1);
      for (let r = start; r <= end; r++) {
        const cells = readRow(sheet.getRow(r), columnOf);
        if (cells) entry.lines.push({ row: r, cells });
      }
      job.processed = end - 1;
      await new Promise<void>((resolve) => setImmediate(resolve));
    }
    if (job.state !== 'reading') return;
    this.dryRun(entry);
  }

  /**
   * Applies every row through the real services inside one transaction that is always
   * rolled back, each row in its own savepoint, so later rows see earlier ones (a parent
   * grid, the person a role row refers to) exactly as the commit will. Synchronous: it
   * holds the event loop for the whole file (see docs/performance.md for the cost per row).
   */
  private dryRun(entry: JobEntry): void {
    const { job } = entry;
    const { db } = this.ctx;
    const problems: ImportRowProblem[] = [];
    let problemCount = 0;
    const applyOne = db.transaction((cells: SheetRow) => APPLY[job.kind](this.ctx, cells));
    try {
      db.transaction(() => {
        for (const line of entry.lines) {
          try {
            applyOne(line.cells);
            entry.valid.add(line.row);
          } catch (error) {
            for (const issue of issuesOf(job.kind, error, line.cells)) {
              problemCount++;
              if (problems.length < MAX_PROBLEMS) problems.push({ row: line.row, ...issue });
            }
          }
        }
        throw new DryRunDone();
      })();
    } catch (error) {
      if (!(error instanceof DryRunDone)) throw error;
    }
    if (problemCount > problems.length) {
      problems.push({ row: 0, column: null, reason: 'import.too_many_problems', value: String(problemCount) });
    }
    job.problems = problems;
    job.validRows = entry.valid.size;
    job.state = 'validated';
    entry.touchedAt = Date.now();
    log.info({ jobId: job.id, kind: job.kind, rows: entry.lines.length, valid: job.validRows, problems: problemCount }, 'import validated');
  }
}
