import ExcelJS from 'exceljs';
import { afterEach, beforeEach, describe, expect, it } from 'vitest';
import type { ImportJob, TransferKind } from '../../core/api/areas';
import { COLUMNS } from '../../electron/services/transfer/columns';
import { IDS, openStation, seedGridChain, seedOrgTree, type Station } from '../helpers/station';

let station: Station;
beforeEach(() => {
  station = openStation(() => new Date('2025-06-01T02:00:00Z'));
});
afterEach(() => station.close());

type Row = Record<string, string>;

/** Fills the real template: drops its example row, writes `rows` under the headers. */
async function workbookFromTemplate(kind: TransferKind, rows: Row[], blankLinesAfter = 0): Promise<string> {
  const template = await station.call('transfer.template', { kind });
  const workbook = new ExcelJS.Workbook();
  await workbook.xlsx.load(Buffer.from(template.base64, 'base64') as unknown as ExcelJS.Buffer);
  const sheet = workbook.worksheets[0]!;
  sheet.spliceRows(2, 1);
  const headers = (sheet.getRow(1).values as unknown[]).slice(1) as string[];
  const keyOf = new Map(COLUMNS[kind].map((c) => [c.header, c.key]));
  for (const [i, row] of rows.entries()) {
    sheet.addRow(headers.map((h) => row[keyOf.get(h)!] ?? ''));
    if (i === 0) for (let b = 0; b < blankLinesAfter; b++) sheet.addRow([]);
  }
  return Buffer.from(await workbook.xlsx.writeBuffer()).toString('base64');
}

async function importAndWait(kind: TransferKind, base64: string): Promise<ImportJob> {
  const started = await station.call('transfer.startImport', { kind, fileName: 'x.xlsx', base64 });
  expect(started.state).toBe('reading');
  for (let i = 0; i < 500; i++) {
    const job = await station.call('transfer.job', { id: started.id });
    if (job.state !== 'reading') return job;
    await new Promise((r) => setTimeout(r, 10));
  }
  throw new Error('import never finished reading');
}

const count = (table: string): number => (station.ctx.db.prepare(`SELECT count(*) AS n FROM ${table}`).get() as { n: number }).n;

const person = (over: Row): Row => ({ gender: '男', partyMember: '否', status: '在岗', orgUnitCode: '610116001001', ...over });

describe('transfer template', () => {
  it('has Chinese headers, an example row and a 说明 sheet for each kind', async () => {
    for (const kind of ['grids', 'roster'] as const) {
      const file = await station.call('transfer.template', { kind });
      expect(file.fileName).toMatch(/\.xlsx$/);
      const workbook = new ExcelJS.Workbook();
      await workbook.xlsx.load(Buffer.from(file.base64, 'base64') as unknown as ExcelJS.Buffer);
      const [data, help] = workbook.worksheets;
      expect((data!.getRow(1).values as unknown[]).slice(1)).toEqual(COLUMNS[kind].map((c) => c.header));
      expect(data!.rowCount).toBe(2);
      expect(help!.name).toBe('说明');
      expect(help!.getColumn(1).values).toEqual(expect.arrayContaining(COLUMNS[kind].map((c) => c.header)));
    }
  });
});

describe('grid import', () => {
  it('round-trips the template and resolves parents defined above', async () => {
    const { community } = await seedOrgTree(station);
    const base = { kind: '基础网格', category: '城市社区', orgUnitCode: '610116001001', validFrom: '2024-01-01' };
    const file = await workbookFromTemplate('grids', [
      { ...base, code: '6101160010011001', name: '东街大网格', level: '大网格' },
      { ...base, code: '6101160010012001', name: '东街中网格', level: '中网格', parentCode: '6101160010011001' },
      { ...base, code: '6101160010013001', name: '东街一网格', level: '小网格', parentCode: '6101160010012001', householdCount: '300' },
      { ...base, code: '6101160010013001001', name: '一号楼', level: '微网格', parentCode: '6101160010013001', householdCount: '24', validFrom: '2024/1/5' },
      // Its parent comes only further down: refused, the rest goes on.
      { ...base, code: '6101160010013002001', name: '二号楼', level: '微网格', parentCode: '6101160010013002' },
      { ...base, code: '6101160010013002', name: '东街二网格', level: '小网格', parentCode: '' },
      { ...base, code: '6101160010014001', name: '东街小学', level: '小网格', kind: '专属网格', dedicatedType: '学校' },
    ]);
    const job = await importAndWait('grids', file);
    expect(job).toMatchObject({ state: 'validated', validRows: 6, total: 7, processed: 7 });
    expect(job.problems).toEqual([{ row: 6, column: '上级网格代码', reason: 'grid.parent_not_found', value: '6101160010013002' }]);
    expect(count('grid_unit')).toBe(0); // the dry run left nothing behind

    const done = await station.call('transfer.commitImport', { id: job.id });
    expect(done).toMatchObject({ state: 'done', imported: 6 });
    const tree = await station.call('grid.tree', { orgUnitId: community.id });
    const byCode = new Map(tree.map((g) => [g.code, g]));
    expect(byCode.get('6101160010013001001')).toMatchObject({ level: 'micro', householdCount: 24, validFrom: '2024-01-05', parentId: byCode.get('6101160010013001')!.id });
    expect(byCode.get('6101160010014001')).toMatchObject({ kind: 'dedicated', dedicatedType: 'school' });
    expect(byCode.has('6101160010013002001')).toBe(false);
  });

  it('exports grids in an order the import accepts, and re-importing changes nothing', async () => {
    const { community } = await seedOrgTree(station);
    await seedGridChain(station, community.id);
    const exported = await station.call('transfer.export', { kind: 'grids', orgUnitId: community.id });
    const changesBefore = count('change_log');
    const job = await importAndWait('grids', exported.base64);
    expect(job).toMatchObject({ state: 'validated', validRows: 3, problems: [] });
    await station.call('transfer.commitImport', { id: job.id });
    expect(count('grid_unit')).toBe(3);
    expect(count('change_log')).toBe(changesBefore);
  });
});

describe('roster import', () => {
  it('reports exactly the bad row, masked, and commits the others', async () => {
    await seedOrgTree(station);
    const file = await workbookFromTemplate(
      'roster',
      [
        person({ name: '张伟', phone: '17000000001', residentId: IDS.a }),
        person({ name: '王芳', phone: '1700000002', residentId: IDS.b, gender: '女' }),
        person({ name: '李强', phone: '17000000003', partyMember: '是', partyBranch: '东街社区第一党支部' }),
      ],
      2, // blank lines are skipped, but row numbers still match Excel's
    );
    const job = await importAndWait('roster', file);
    expect(job.state).toBe('validated');
    expect(job.validRows).toBe(2);
    expect(job.problems).toEqual([{ row: 5, column: '手机号', reason: 'row.phone_format', value: '170***0002' }]);
    expect(JSON.stringify(job)).not.toContain('1700000002');
    const changesBefore = count('change_log');

    const done = await station.call('transfer.commitImport', { id: job.id });
    expect(done).toMatchObject({ state: 'done', imported: 2 });
    const page = await station.call('people.list', { sort: 'name' });
    expect(page.rows.map((r) => r.name).sort()).toEqual(['张伟', '李强'].sort());
    expect(page.rows.find((r) => r.name === '李强')).toMatchObject({ partyMember: true, partyBranch: '东街社区第一党支部' });
    expect(count('change_log')).toBe(changesBefore + 2); // two person inserts, nothing else
    expect(count('assignment')).toBe(0);
  });

  it('fails a file whose headers are not the template’s, and one that is not a workbook', async () => {
    const workbook = new ExcelJS.Workbook();
    workbook.addWorksheet('Sheet1').addRow(['name', 'phone']);
    const wrong = Buffer.from(await workbook.xlsx.writeBuffer()).toString('base64');
    expect(await importAndWait('roster', wrong)).toMatchObject({ state: 'failed', error: 'import.bad_headers' });
    const garbage = Buffer.from('not a spreadsheet').toString('base64');
    expect(await importAndWait('roster', garbage)).toMatchObject({ state: 'failed', error: 'import.unreadable' });
    expect((await station.fail('transfer.commitImport', { id: 'nope' })).reason).toBe('import_job.not_found');
  });

  it('adds roles row by row and updates rather than duplicates on re-import', async () => {
    const { community, street } = await seedOrgTree(station);
    const { small, micro } = await seedGridChain(station, community.id);
    const zhang = person({ name: '张伟', phone: '17000000001', residentId: IDS.a });
    const rows = [
      { ...zhang, gridCode: small.code, role: '网格长', startDate: '2025-01-01' },
      { ...zhang, gridCode: micro.code, role: '户长', startDate: '2025-01-01' },
      person({ name: '周敏', orgUnitCode: street.code, role: '中心操作员', startDate: '2025-02-01', residentId: IDS.b }),
    ];
    const first = await importAndWait('roster', await workbookFromTemplate('roster', rows));
    expect(first).toMatchObject({ state: 'validated', validRows: 3, problems: [] });
    await station.call('transfer.commitImport', { id: first.id });
    expect(count('person')).toBe(2);
    expect(count('assignment')).toBe(3);

    // Same people again, a new phone for 张伟: one update, no new people or roles.
    const again = rows.map((r) => (r.name === '张伟' ? { ...r, phone: '17100000009' } : r));
    const second = await importAndWait('roster', await workbookFromTemplate('roster', again));
    expect(second).toMatchObject({ state: 'validated', validRows: 3, problems: [] });
    await station.call('transfer.commitImport', { id: second.id });
    expect(count('person')).toBe(2);
    expect(count('assignment')).toBe(3);
    const list = await station.call('people.list', { q: '张伟' });
    const details = await station.call('people.get', { id: list.rows[0]!.id });
    expect(details.person).toMatchObject({ phone: '17100000009', version: 2 });
    expect(details.assignments.map((a) => a.role).sort()).toEqual(['grid_chief', 'household_head']);
  });

  it('round-trips an export (one row per active role) without changes', async () => {
    const { community } = await seedOrgTree(station);
    const { small, micro } = await seedGridChain(station, community.id);
    const p = await station.call('people.create', { name: '张伟', phone: '17000000001', residentId: IDS.a, orgUnitId: community.id });
    await station.call('people.assign', { personId: p.id, target: { kind: 'grid', gridId: small.id }, role: 'grid_chief', startDate: '2025-01-01' });
    await station.call('people.assign', { personId: p.id, target: { kind: 'grid', gridId: micro.id }, role: 'household_head', startDate: '2025-01-01' });
    await station.call('people.create', { name: '王芳', orgUnitId: community.id });
    const exported = await station.call('transfer.export', { kind: 'roster', orgUnitId: community.id });
    const workbook = new ExcelJS.Workbook();
    await workbook.xlsx.load(Buffer.from(exported.base64, 'base64') as unknown as ExcelJS.Buffer);
    expect(workbook.worksheets[0]!.rowCount).toBe(4); // header + 2 roles of 张伟 + 王芳
    expect(workbook.worksheets[0]!.getRow(2).getCell(3).value).toBe('17000000001'); // whole, it is their own file

    const changesBefore = count('change_log');
    const job = await importAndWait('roster', exported.base64);
    // 王芳 has no ID and no phone: she cannot be recognised, so she would be added again.
    expect(job).toMatchObject({ state: 'validated', validRows: 3 });
    await station.call('transfer.cancelImport', { id: job.id });
    expect(count('change_log')).toBe(changesBefore);
    expect((await station.fail('transfer.job', { id: job.id })).reason).toBe('import_job.not_found');
  });

  it('commits all or nothing: a grid retired after validation writes no row at all', async () => {
    const { community } = await seedOrgTree(station);
    const { micro } = await seedGridChain(station, community.id);
    const job = await importAndWait(
      'roster',
      await workbookFromTemplate('roster', [
        person({ name: '张伟', residentId: IDS.a }),
        person({ name: '王芳', residentId: IDS.b, gridCode: micro.code, role: '户长', startDate: '2025-06-01' }),
      ]),
    );
    expect(job).toMatchObject({ state: 'validated', validRows: 2, problems: [] });
    await station.call('grid.retire', { id: micro.id, validTo: '2025-05-31', reason: '重新划分' });
    const people = count('person');
    const changes = count('change_log');

    const result = await station.call('transfer.commitImport', { id: job.id });
    expect(result).toMatchObject({ state: 'failed', error: 'import.commit_failed', imported: 0 });
    expect(result.problems).toEqual([{ row: 3, column: '网格代码', reason: 'grid.retired', value: micro.code }]);
    expect(count('person')).toBe(people); // not even 张伟 of row 2
    expect(count('change_log')).toBe(changes);
    expect((await station.fail('transfer.commitImport', { id: job.id })).reason).toBe('import.not_validated');
  });
});
