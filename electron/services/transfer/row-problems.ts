import type { z } from 'zod';
import type { ImportRowProblem, TransferKind } from '../../../core/api/areas';
import { AppError } from '../../../core/api/errors';
import { maskPhone, maskResidentId } from '../../../core/domain/identity';
import { columnByKey } from './columns';
import type { SheetRow } from './workbook';

// Turning whatever stopped a row (a label we don't know, a zod issue, a service rule) into
// the report line the clerk reads: Excel row, column header, reason key, the cell's text.

export type RowIssue = Omit<ImportRowProblem, 'row'>;

/** Thrown by a row applier; carries every issue found in the row. */
export class RowRejected extends Error {
  constructor(readonly issues: RowIssue[]) {
    super(issues.map((i) => i.reason).join(', '));
  }
}

/** The cell's text as it may appear in a report: phones and IDs masked, always. */
export function reportedValue(kind: TransferKind, key: string | null, cells: SheetRow): string | null {
  if (key === null) return null;
  const text = cells[key];
  if (!text) return null;
  const column = columnByKey(kind, key);
  if (column?.personal === 'phone') return maskPhone(text);
  if (column?.personal === 'residentId') return maskResidentId(text);
  return text;
}

export function issueAt(kind: TransferKind, key: string | null, reason: string, cells: SheetRow): RowIssue {
  return { column: key === null ? null : (columnByKey(kind, key)?.header ?? null), reason, value: reportedValue(kind, key, cells) };
}

/** A zod issue's reason: our own message keys as `row.<key>`, zod's built-in ones by code. */
function zodReason(issue: z.core.$ZodIssue): string {
  return /^[a-z_]+$/.test(issue.message) ? `row.${issue.message}` : `row.${issue.code}`;
}

export function zodIssues(kind: TransferKind, error: z.ZodError, keyOfField: Record<string, string>, cells: SheetRow): RowIssue[] {
  return error.issues.map((issue) => {
    const field = String(issue.path[0] ?? '');
    return issueAt(kind, keyOfField[field] ?? (columnByKey(kind, field) ? field : null), zodReason(issue), cells);
  });
}

/** The column a service rule is about, by reason key; unknown reasons point at no column. */
export function appErrorIssue(kind: TransferKind, error: AppError, keyOfReason: (reason: string) => string | null, cells: SheetRow): RowIssue {
  return issueAt(kind, keyOfReason(error.reason), error.reason, cells);
}

/** Accepts 2024-01-05, 2024/1/5 and 2024.1.5, the forms people type; anything else passes through for zod to refuse. */
export function normalizeDate(text: string): string {
  const m = /^(\d{4})[-/.](\d{1,2})[-/.](\d{1,2})$/.exec(text);
  return m ? `${m[1]}-${m[2]!.padStart(2, '0')}-${m[3]!.padStart(2, '0')}` : text;
}

/** Required cells that are blank, each as an issue. */
export function missingRequired(kind: TransferKind, keys: readonly string[], cells: SheetRow): RowIssue[] {
  return keys.filter((k) => !cells[k]).map((k) => issueAt(kind, k, 'row.required', cells));
}
