import { ApiError } from '../../api/client';
import type { I18n } from './i18n-context';
import type { MessageKey } from './zh-CN';

// Field paths in bad_request details are contract names ('patch.phone', 'target.gridId');
// the clerk needs the label they saw on the form.
const FIELD_LABELS: Record<string, MessageKey> = {
  name: 'common.name',
  code: 'common.code',
  phone: 'person.phone',
  residentId: 'person.residentId',
  partyBranch: 'person.partyBranch',
  orgUnitId: 'person.orgUnit',
  status: 'person.status',
  gender: 'person.gender',
  note: 'person.note',
  role: 'assign.role',
  startDate: 'assign.start',
  endDate: 'assign.end',
  gridId: 'assign.targetGrid',
  parentId: 'grid.parent',
  level: 'grid.level',
  category: 'grid.category',
  householdCount: 'grid.households',
  validFrom: 'grid.validFrom',
  validTo: 'grid.retireDate',
  reason: 'grid.retireReason',
  date: 'grid.moveDate',
  base64: 'transfer.chooseFile',
  hostsCenter: 'org.hostsCenter',
  kind: 'grid.kind',
  dedicatedType: 'grid.dedicatedType',
  partyMember: 'person.partyMember',
  personId: 'assign.person',
  serverUrl: 'sync.enroll.serverUrl',
  deviceName: 'sync.enroll.deviceName',
};

/** The form label for a contract or record field name; the raw name when we have none. */
export function fieldLabel(t: I18n['t'], field: string): string {
  const key = FIELD_LABELS[field];
  return key ? t(key) : field;
}

interface Issue {
  path: string;
  message: string;
}

function issuesOf(details: Record<string, unknown>): Issue[] {
  const raw = details['issues'];
  if (!Array.isArray(raw)) return [];
  return raw.flatMap((item: unknown) => {
    if (typeof item !== 'object' || item === null) return [];
    const path = 'path' in item && typeof item.path === 'string' ? item.path : '';
    const message = 'message' in item && typeof item.message === 'string' ? item.message : '';
    return [{ path, message }];
  });
}

/** Translates an import-report or rule reason, falling back to the raw key so nothing is hidden. */
export function reasonText(i18n: I18n, reason: string): string {
  return i18n.reason(reason) ?? reason;
}

/** One line for a message/notification: specific wording when we have it, else code + reason. */
export function describeError(i18n: I18n, error: unknown): string {
  const { t } = i18n;
  if (!(error instanceof ApiError)) {
    return `${t('error.code.internal')}${t('error.detail', { reason: error instanceof Error ? error.message : String(error) })}`;
  }
  if (error.code === 'bad_request') {
    const issues = issuesOf(error.details);
    if (issues.length > 0) {
      return issues
        .map(({ path, message }) => {
          const last = path.split('.').pop() ?? path;
          const label = FIELD_LABELS[last];
          return t('error.field', { field: label ? t(label) : path || '—', message: i18n.reason(message) ?? message });
        })
        .join('；');
    }
  }
  const specific = i18n.reason(error.reason);
  if (specific) return specific;
  return `${t(`error.code.${error.code}`)}${t('error.detail', { reason: error.reason })}`;
}
