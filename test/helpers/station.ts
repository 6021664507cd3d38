import { mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import type { MethodName, RequestOf, ResponseOf } from '../../core/api/contract';
import type { AppErrorShape } from '../../core/api/errors';
import { dispatch } from '../../electron/dispatch';
import { closeAppContext, openAppContext, type AppContext } from '../../electron/services/context';
import { createHandlers } from '../../electron/services';

/** A workstation on a real SQLite file in a fresh temp folder, called through the contract. */
export interface Station {
  ctx: AppContext;
  call<M extends MethodName>(method: M, request: RequestOf<M>): Promise<ResponseOf<M>>;
  fail<M extends MethodName>(method: M, request: unknown): Promise<AppErrorShape>;
  close(): void;
}

/** A station on an existing data folder; `onClose` runs after its database is closed. */
export function stationAt(dataDir: string, options: { now?: () => Date; onClose?: () => void } = {}): Station {
  const ctx = openAppContext({ dataDir, transport: 'http', now: options.now });
  const handlers = createHandlers(ctx);
  return {
    ctx,
    async call(method, request) {
      const reply = await dispatch(handlers, method, request);
      if (!reply.ok) throw new Error(`${method} failed: ${JSON.stringify(reply.error)}`);
      return reply.result as never;
    },
    async fail(method, request) {
      const reply = await dispatch(handlers, method, request);
      if (reply.ok) throw new Error(`${method} unexpectedly succeeded`);
      return reply.error;
    },
    close() {
      closeAppContext(ctx);
      options.onClose?.();
    },
  };
}

export function openStation(now?: () => Date): Station {
  const dataDir = mkdtempSync(join(tmpdir(), 'griddesk-test-'));
  return stationAt(dataDir, { now, onClose: () => rmSync(dataDir, { recursive: true, force: true }) });
}

/** Chang'an District > 韦曲街道 > 东街社区 and 西村, the smallest tree most tests need. */
export async function seedOrgTree(station: Station) {
  const district = await station.call('org.create', { code: '610116000000', name: '长安区', level: 'district', parentId: null });
  const street = await station.call('org.create', { code: '610116001000', name: '韦曲街道', level: 'street', parentId: district.id, hostsCenter: true });
  const community = await station.call('org.create', {
    code: '610116001001',
    name: '东街社区',
    level: 'community',
    kind: 'urban_community',
    parentId: street.id,
  });
  const village = await station.call('org.create', { code: '610116001201', name: '西村', level: 'community', kind: 'village', parentId: street.id });
  return { district, street, community, village };
}

/** A large > small > micro chain in the community. */
export async function seedGridChain(station: Station, communityId: string) {
  const base = { category: 'urban_community' as const, validFrom: '2024-01-01', orgUnitId: communityId };
  const large = await station.call('grid.create', { ...base, code: '6101160010011001', name: '东街大网格', level: 'large', parentId: null });
  const small = await station.call('grid.create', { ...base, code: '6101160010013001', name: '东街第一网格', level: 'small', parentId: large.id });
  const micro = await station.call('grid.create', { ...base, code: '6101160010013001001', name: '一号楼微网格', level: 'micro', parentId: small.id, householdCount: 24 });
  return { large, small, micro };
}

/** Valid synthetic IDs (check digit computed), for tests. */
export const IDS = { a: '610116199001010018', b: '61011619851212002X' };
