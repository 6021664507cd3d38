import type { Handlers } from '../../../core/api/contract';
import type { AppContext } from '../context';
import { exportWorkbook } from './export';
import { ImportJobs } from './import-job';
import { templateWorkbook } from './template';

// Excel template, export and import of grids and the roster (see import-job.ts for the
// read -> dry run -> commit pipeline).

export type TransferHandlers = Pick<
  Handlers,
  'transfer.template' | 'transfer.export' | 'transfer.startImport' | 'transfer.job' | 'transfer.commitImport' | 'transfer.cancelImport'
>;

export function createTransferHandlers(ctx: AppContext): TransferHandlers {
  const jobs = new ImportJobs(ctx);
  return {
    'transfer.template': ({ kind }) => templateWorkbook(kind),
    'transfer.export': ({ kind, orgUnitId }) => exportWorkbook(ctx, kind, orgUnitId),
    'transfer.startImport': ({ kind, fileName, base64 }) => jobs.start(kind, fileName, base64),
    'transfer.job': ({ id }) => jobs.get(id),
    'transfer.commitImport': ({ id }) => jobs.commit(id),
    'transfer.cancelImport': ({ id }) => jobs.cancel(id),
  };
}
