import type { SyncIssue } from '../../../core/api/sync';
import { maskPhone, maskResidentId } from '../../../core/domain/identity';
import { fieldLabel } from '../../app/i18n/describe-error';
import type { I18n } from '../../app/i18n/i18n-context';
import { zhCN, type MessageKey } from '../../app/i18n/zh-CN';
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

/** Coded values the clerk knows by their words: grid level 'large' is 大网格. */
const ENUMS: Record<string, string> = {
  level: 'enum.gridLevel',
  category: 'enum.gridCategory',
  dedicatedType: 'enum.dedicatedType',
  status: 'enum.status',
  gender: 'enum.gender',
  role: 'enum.role',
  action: 'enum.history',
};

function enumText(i18n: I18n, entity: SyncIssue['entity'] | undefined, field: string, value: string): string | null {
  // `kind` is a grid's basic/dedicated but a community's village/urban_community
  const prefix = field === 'kind' ? (entity === 'orgUnit' ? 'enum.communityKind' : 'enum.gridKind') : ENUMS[field];
  if (!prefix) return null;
  const key = `${prefix}.${value}`;
  return key in zhCN ? i18n.t(key as MessageKey) : null;
}

/** Whether a card's row shows a personal number masked until the clerk asks to see it whole. */
export const isMasked = (field: string): boolean => field in MASKED;

/** How a card shows values: the names of the records they point to, and whether a phone number or an ID shows whole (the clerk asked to). */
export interface ValueView {
  refNames?: Readonly<Record<string, string>>;
  revealed?: boolean;
}

export function formatValue(i18n: I18n, field: string, value: unknown, entity?: SyncIssue['entity'], view: ValueView = {}): string {
  if (value === null || value === undefined || value === '') return i18n.t('sync.value.empty');
  if (typeof value === 'boolean') return i18n.t(value ? 'common.yes' : 'common.no');
  if (typeof value === 'string') {
    const mask = MASKED[field];
    if (mask && !view.revealed) return mask(value) ?? '';
    const word = enumText(i18n, entity, field, value);
    if (word) return word;
    if (/^\d{4}-\d{2}-\d{2}T/.test(value)) return formatDateTime(value);
    // A reference to another record (its UUID): its name, else the start, enough to tell two apart.
    if (/^[0-9a-f]{8}-[0-9a-f]{4}-/.test(value)) return view.refNames?.[value] ?? `${value.slice(0, 8)}…`;
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
  /** The values differ, not just their words: two people of one name are still two people. */
  differs: boolean;
}

/** A field one side does not carry at all (shown as —), unlike one it holds empty. */
const ABSENT = Symbol('absent');

function sameValue(a: unknown, b: unknown): boolean {
  const empty = (v: unknown) => (v === undefined || v === '' ? null : v);
  return a === ABSENT || b === ABSENT ? a === b : JSON.stringify(empty(a)) === JSON.stringify(empty(b));
}

/** Fields that say which record this is: kept in the comparison even when both sides agree. */
const IDENTITY = new Set(['code', 'name']);
/** The values a record holds alone in its street: a uniqueness clash is about one of them. */
const UNIQUE = new Set(['code', 'residentId']);

/**
 * The side-by-side rows of an issue: this station's value against the server's. A refused new
 * record carries every field on both sides; only the ones that differ (and its code and name)
 * are worth the clerk's attention. A stale edit shows the fields whose server value it
 * overwrote (the rest of it changed nothing another station had set); a row that gave way
 * shows its name and the value it gave up beside the record that took it.
 */
export function compareRows(i18n: I18n, issue: SyncIssue, view: ValueView = {}): FieldRow[] {
  const mine = issue.localFields ?? {};
  const overwritten = issue.kind === 'conflict' && issue.overwritten && Object.keys(issue.overwritten).length > 0 ? issue.overwritten : null;
  const server = overwritten ?? issue.serverRecord ?? {};
  const fields = Object.keys(overwritten ?? mine).filter((f) => !HIDDEN.has(f));
  const keys = fields.length > 0 ? fields : Object.keys(server).filter((f) => !HIDDEN.has(f));
  // The record itself as the server holds it: a field it lacks was never set there, so is empty.
  const whole = issue.kind !== 'conflict' && server['id'] === issue.entityId;
  const rows = keys.map((field) => {
    const mineValue = field in mine ? mine[field] : ABSENT;
    const serverValue = field in server || whole ? server[field] : ABSENT;
    const shown = (value: unknown) => (value === ABSENT ? '—' : formatValue(i18n, field, value, issue.entity, view));
    const [mineText, serverText] = [shown(mineValue), shown(serverValue)];
    const differs = !sameValue(mineValue, serverValue);
    // two phone numbers or IDs that differ only in their masked middle would look the same
    const hint = differs && field in MASKED && mineText === serverText ? i18n.t('sync.value.hiddenDigitsDiffer') : '';
    return {
      field,
      label: field === 'code' && issue.entity === 'gridUnit' ? i18n.t('grid.code') : fieldLabel(i18n.t, field),
      mine: mineText,
      server: serverText + hint,
      differs,
    };
  });
  if (issue.kind === 'conflict') return rows;
  // refused for a value another record holds: that record's name and the value, not its other fields as if they were this one's
  if (isOtherRecord(issue)) return rows.filter((r) => IDENTITY.has(r.field) || UNIQUE.has(r.field));
  const telling = rows.filter((r) => IDENTITY.has(r.field) || r.differs);
  return telling.some((r) => r.differs) ? telling : rows;
}

/**
 * The server record of a uniqueness clash is the other record, the one that holds the value
 * (a refused new person's resident ID, a local row that gave way to a pulled one): its name is
 * not this record's.
 */
const isOtherRecord = (issue: SyncIssue): boolean => typeof issue.serverRecord?.['id'] === 'string' && issue.serverRecord['id'] !== issue.entityId;

/** The first of `fields` that the issue's local or (its own) server side holds as a non-empty string. */
export function fieldOf(issue: SyncIssue, fields: readonly string[]): string | null {
  for (const side of [issue.localFields, isOtherRecord(issue) ? null : issue.serverRecord]) {
    for (const field of fields) {
      const value = side?.[field];
      if (typeof value === 'string' && value) return value;
    }
  }
  return null;
}

/** The record's name when the issue carries it (a grid's move carries only its code: the card looks its name up). */
export function knownName(issue: SyncIssue): string | null {
  return fieldOf(issue, ['name', 'personName']);
}

/** A name for the record an issue is about, from whatever side carries one; else its code, else its short id. */
export function recordName(issue: SyncIssue): string {
  return knownName(issue) ?? fieldOf(issue, ['code']) ?? issue.entityId.slice(0, 8);
}

/**
 * Issues settled with another one, by the card they are folded into. A grid's history rows
 * travel with the grid: when the server refuses a new grid it refuses their inserts too ("the
 * grid does not exist"), and resolving the grid's issue resolves theirs. The mutations of one
 * command (a grid's move or retirement) are refused and settled together: one card, the
 * grid's. Either way their own cards would only repeat it (electron/sync/resolve.ts).
 */
export function foldedIssues(issues: readonly SyncIssue[]): Map<number, number> {
  const gridIssue = new Map(issues.filter((i) => i.entity === 'gridUnit' && i.kind !== 'conflict').map((i) => [i.entityId, i.id]));
  const commandCard = new Map<string, number>();
  for (const i of issues) {
    if (!i.command || i.kind === 'conflict') continue;
    const card = commandCard.get(i.command.id);
    if (card === undefined || i.entity === 'gridUnit') commandCard.set(i.command.id, i.id);
  }
  const folded = new Map<number, number>();
  for (const i of issues) {
    const gridId = i.localFields?.['gridId'];
    const owner =
      i.command && i.kind !== 'conflict'
        ? commandCard.get(i.command.id)
        : i.entity === 'gridHistory' && i.kind === 'rejection' && typeof gridId === 'string'
          ? gridIssue.get(gridId)
          : undefined;
    if (owner !== undefined && owner !== i.id) folded.set(i.id, owner);
  }
  return folded;
}

/** A card's title: the action for a command's card, else the kind of record; then its name. */
export function cardTitle(i18n: I18n, issue: SyncIssue, name?: string): string {
  const command = issue.kind === 'conflict' ? null : issue.command;
  return `${command ? i18n.t(`sync.command.${command.name}`) : i18n.t(`sync.entity.${issue.entity}`)} · ${name ?? recordName(issue)}`;
}

/**
 * The record a refused command needed and the server does not hold: for `record.not_found`
 * the member the server sent no record back for (its other members it holds; a history entry
 * is new in any case), for `ref.not_found` the new parent of a move.
 */
function missingRecord(member: SyncIssue): string | null {
  if (member.reason === 'record.not_found') return member.serverRecord === null && member.entity !== 'gridHistory' ? member.entityId : null;
  if (member.reason === 'ref.not_found' && member.command?.name === 'grid.move') {
    const parentId = member.command.args['parentId'];
    return typeof parentId === 'string' ? parentId : null;
  }
  return null;
}

/**
 * For a refused command's card, the card of a change it builds on that the server never took
 * (refused, or set aside before it got there): a duty whose insert it refused and which a
 * retirement then ended, or the new grid a move put another under. The server refused the whole command because that record is not there, not
 * because another station changed anything, so the card points the clerk to the other one.
 */
export function commandBlockers(issues: readonly SyncIssue[], folded: ReadonlyMap<number, number>): Map<number, SyncIssue> {
  const blockers = new Map<number, SyncIssue>();
  for (const member of issues) {
    if (!member.command || member.kind !== 'rejection') continue;
    const missing = missingRecord(member);
    const blocker = missing && issues.find((o) => o.kind !== 'conflict' && o.command?.id !== member.command!.id && o.entityId === missing);
    if (blocker) blockers.set(folded.get(member.id) ?? member.id, blocker);
  }
  return blockers;
}
