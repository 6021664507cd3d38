import type { SyncIssue } from '../../../core/api/sync';
import { maskPhone, maskResidentId } from '../../../core/domain/identity';
import { fieldLabel } from '../../app/i18n/describe-error';
import type { I18n } from '../../app/i18n/i18n-context';
import { formatDateTime } from '../../components/dates';

// Plain words for what the sync engine and the server report: reasons, field names, values.

/** A reason key from status.lastError or an issue: our wording, else a generic line, never a blank. */
export function syncReasonText(i18n: I18n, reason: string): string {
  const known = i18n.reason(reason);
  if (known) return known;
  const http = /^http\.(\d{3})\./.exec(reason);
  if (http?.[1]) return i18n.t('sync.httpError', { status: http[1] });
  if (reason.startsWith('network.')) return i18n.reason('network.unreachable') ?? reason;
  return reason;
}

const MASKED: Record<string, (v: string) => string | null> = { phone: maskPhone, residentId: maskResidentId };
/** Fields the clerk never needs to compare: bookkeeping of the sync itself. */
const HIDDEN = new Set(['id', 'version', 'baseVersion', 'createdAt', 'updatedAt', 'streetId']);

export function formatValue(i18n: I18n, field: string, value: unknown): string {
  if (value === null || value === undefined || value === '') return i18n.t('sync.value.empty');
  if (typeof value === 'boolean') return i18n.t(value ? 'common.yes' : 'common.no');
  if (typeof value === 'string') {
    const mask = MASKED[field];
    if (mask) return mask(value) ?? '';
    if (/^\d{4}-\d{2}-\d{2}T/.test(value)) return formatDateTime(value);
    // A reference to another record (its UUID): the start is enough to tell two apart.
    if (/^[0-9a-f]{8}-[0-9a-f]{4}-/.test(value)) return `${value.slice(0, 8)}…`;
    return value;
  }
  if (typeof value === 'number') return String(value);
  return JSON.stringify(value);
}

export interface FieldRow {
  field: string;
  label: string;
  mine: string;
  server: string;
}

/** The side-by-side rows of an issue: this station's value against the server's. */
export function compareRows(i18n: I18n, issue: SyncIssue): FieldRow[] {
  const mine = issue.localFields ?? {};
  // For a stale edit the server's side is what my edit overwrote; otherwise its current record.
  const server = issue.kind === 'conflict' && issue.overwritten ? issue.overwritten : (issue.serverRecord ?? {});
  const fields = [...new Set([...Object.keys(mine), ...Object.keys(issue.kind === 'conflict' ? server : {})])].filter((f) => !HIDDEN.has(f));
  const keys = fields.length > 0 ? fields : Object.keys(server).filter((f) => !HIDDEN.has(f));
  return keys.map((field) => ({
    field,
    label: fieldLabel(i18n.t, field),
    mine: field in mine ? formatValue(i18n, field, mine[field]) : '—',
    server: field in server ? formatValue(i18n, field, server[field]) : '—',
  }));
}

/** A name for the record an issue is about, from whatever side carries one. */
export function recordName(issue: SyncIssue): string {
  for (const side of [issue.localFields, issue.serverRecord]) {
    const name = side?.['name'] ?? side?.['personName'] ?? side?.['code'];
    if (typeof name === 'string' && name) return name;
  }
  return issue.entityId.slice(0, 8);
}
