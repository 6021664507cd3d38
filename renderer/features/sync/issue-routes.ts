import type { SyncIssue } from '../../../core/api/sync';
import { fieldOf } from './sync-text';

/** Where the clerk fixes the record an issue is about: its grid, person or unit page; a command's, its grid's. */
export function issueRecordPath(issue: SyncIssue): string | null {
  const field = (name: string): string | null => fieldOf(issue, [name]);
  // a grid's move or retirement is done, and done again, on its grid's page, whichever of its
  // records (a duty it ended, say) this one of its changes is about
  const commandGrid = issue.command?.args['gridId'];
  if (typeof commandGrid === 'string') return `/grids?grid=${encodeURIComponent(commandGrid)}`;
  const id = encodeURIComponent(issue.entityId);
  switch (issue.entity) {
    case 'gridUnit':
      return `/grids?grid=${id}`;
    case 'gridHistory': {
      const gridId = field('gridId');
      return gridId ? `/grids?grid=${encodeURIComponent(gridId)}` : null;
    }
    case 'person':
      return `/roster?person=${id}`;
    case 'assignment': {
      const personId = field('personId');
      return personId ? `/roster?person=${encodeURIComponent(personId)}` : null;
    }
    case 'orgUnit':
      return `/grids?org=${id}`;
  }
}
