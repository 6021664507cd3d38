import type { SyncIssue } from '../../../core/api/sync';
import { api } from '../../api/client';

// The names an issue card shows instead of ids: the record's own (an edit of one field carries
// none) and those of the records its fields point to (a duty's person and grid). They come
// from this replica; a record no longer on it keeps its short id.

type RecordKind = 'person' | 'grid' | 'org';

/** The kind of record a reference field points to; a parent is of its own entity's kind. */
function refKind(entity: SyncIssue['entity'], field: string): RecordKind | null {
  if (field === 'personId') return 'person';
  if (field === 'gridId' || field === 'predecessorId') return 'grid';
  if (field === 'orgUnitId') return 'org';
  if (field === 'parentId') return entity === 'orgUnit' ? 'org' : entity === 'gridUnit' ? 'grid' : null;
  return null;
}

/** The record an issue is about, as a kind and id of this replica. */
function subject(issue: SyncIssue): [RecordKind, unknown] {
  switch (issue.entity) {
    case 'person':
      return ['person', issue.entityId];
    case 'assignment':
      return ['person', issue.localFields?.['personId']];
    case 'gridUnit':
      return ['grid', issue.entityId];
    case 'gridHistory':
      return ['grid', issue.localFields?.['gridId']];
    case 'orgUnit':
      return ['org', issue.entityId];
  }
}

export interface IssueNames {
  /** By issue id: the name of the record it is about, for issues that carry none. */
  subjects: Record<number, string>;
  /** By record id: names of the records the issues' fields point to. */
  refs: Record<string, string>;
}

/** Looks up every name the cards of `issues` need, each record once. */
export async function issueNames(issues: readonly SyncIssue[], carriesName: (issue: SyncIssue) => boolean): Promise<IssueNames> {
  const found = new Map<string, Promise<string | null>>();
  let orgs: Promise<Map<string, string>> | null = null;
  const nameOf = (kind: RecordKind, id: unknown): Promise<string | null> => {
    if (typeof id !== 'string') return Promise.resolve(null);
    const key = `${kind}:${id}`;
    let name = found.get(key);
    if (!name) {
      name = (async () => {
        if (kind === 'person') return (await api.people.get({ id })).person.name;
        if (kind === 'grid') return (await api.grid.get({ id })).grid.name;
        orgs ??= api.org.tree({}).then((tree) => new Map(tree.map((o) => [o.id, o.name])));
        return (await orgs).get(id) ?? null;
      })().catch(() => null); // gone from this replica: the card keeps the short id
      found.set(key, name);
    }
    return name;
  };
  const subjects: Record<number, string> = {};
  const refs: Record<string, string> = {};
  const lookups: Promise<void>[] = [];
  for (const issue of issues) {
    if (!carriesName(issue)) {
      lookups.push(nameOf(...subject(issue)).then((name) => void (name && (subjects[issue.id] = name))));
    }
    for (const side of [issue.localFields, issue.serverRecord, issue.overwritten]) {
      for (const [field, id] of Object.entries(side ?? {})) {
        const kind = refKind(issue.entity, field);
        if (kind && typeof id === 'string') lookups.push(nameOf(kind, id).then((name) => void (name && (refs[id] = name))));
      }
    }
  }
  await Promise.all(lookups);
  return { subjects, refs };
}
