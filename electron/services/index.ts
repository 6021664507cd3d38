import packageJson from '../../package.json' with { type: 'json' };
import type { Handlers } from '../../core/api/contract';
import { latestVersion } from '../store/migrate';
import { migrations } from '../store/migrations';
import { createBackup, listBackups, restoreBackup } from './backup';
import type { AppContext } from './context';
import { coverageByCommunity, coverageGaps } from './coverage';
import { createGrid, findGrids, gridDetails, gridTree, moveGrid, nextGridCode, retireGrid, updateGrid } from './grid';
import { createOrgUnit, orgTree, updateOrgUnit } from './org';
import { assignRole, createPerson, endAssignment, personDetails, rosterPage, updatePerson } from './people';
import { getLocale, setLocale } from './settings';
import { createSyncHandlers, withSyncTriggers } from './sync';
import { createTransferHandlers } from './transfer';

/** The app API implemented over one context; both transports serve exactly this object. */
export function createHandlers(ctx: AppContext): Handlers {
  return withSyncTriggers(ctx, {
    'app.info': () => ({ version: packageJson.version, schemaVersion: latestVersion(migrations), dataDir: ctx.dataDir, transport: ctx.transport }),
    'app.settings': () => ({ locale: getLocale(ctx.db) }),
    'app.setLocale': ({ locale }) => {
      setLocale(ctx.db, locale);
      return { ok: true as const };
    },
    'org.tree': () => orgTree(ctx),
    'org.create': (input) => createOrgUnit(ctx, input),
    'org.update': (input) => updateOrgUnit(ctx, input),
    'grid.tree': (input) => gridTree(ctx, input),
    'grid.get': ({ id }) => gridDetails(ctx, id),
    'grid.create': (input) => createGrid(ctx, input),
    'grid.update': (input) => updateGrid(ctx, input),
    'grid.move': (input) => moveGrid(ctx, input),
    'grid.retire': (input) => retireGrid(ctx, input),
    'grid.nextCode': (input) => ({ code: nextGridCode(ctx, input) }),
    'grid.search': (input) => findGrids(ctx, input),
    'people.list': (input) => rosterPage(ctx, input),
    'people.get': ({ id }) => personDetails(ctx, id),
    'people.create': (input) => createPerson(ctx, input),
    'people.update': (input) => updatePerson(ctx, input),
    'people.assign': (input) => assignRole(ctx, input),
    'people.endAssignment': (input) => endAssignment(ctx, input),
    'coverage.byCommunity': ({ orgUnitId }) => coverageByCommunity(ctx, orgUnitId),
    'coverage.gaps': ({ orgUnitId }) => coverageGaps(ctx, orgUnitId),
    ...createTransferHandlers(ctx),
    'backup.list': () => listBackups(ctx),
    'backup.create': ({ path }) => createBackup(ctx, path),
    'backup.restore': ({ path }) => restoreBackup(ctx, path),
    ...createSyncHandlers(ctx),
  });
}
