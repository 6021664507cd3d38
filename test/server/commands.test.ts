import { describe, expect, it } from 'vitest';
import type { CommandName, CommandTag } from '../../core/sync/commands';
import { syncError, type Mutation } from '../../core/sync/protocol';
import { community, enrollDevice, FACTORIES, grid, MidCounter, mutation, newStreet, person, serverFixture, stationCalls, uid } from './harness';

// Commands (docs/sync-protocol.md "Commands"): a grid's move and retirement reach the server as
// one unit, checked against the server's state and applied all or none.

describe.each(FACTORIES)('commands on $name', (factory) => {
  const fx = serverFixture(factory, { enrollRateLimit: { max: 1000, timeWindowMs: 60_000 } });

  const { send, push, pull } = stationCalls(fx);

  /** The same tag on every mutation, as the station's writeCommand leaves it; `args` unchecked, as a hostile station might send them. */
  const command = (name: CommandName, args: Record<string, unknown>, members: Mutation[]): Mutation[] => {
    const tag = { id: uid('cmd'), name, size: members.length, args } as CommandTag;
    return members.map((m) => ({ ...m, command: tag }));
  };

  /** A community with two small grids, a micro grid under the first, and a person on duty on the first. */
  async function street() {
    const s = await newStreet(fx.t.db);
    const device = await enrollDevice(fx.t.db, fx.server.url, s);
    const mids = new MidCounter();
    const org = community(s, 1);
    const orgId = uid('org');
    const [small, other, micro, personId, duty] = [uid('grid'), uid('grid'), uid('grid'), uid('person'), uid('duty')];
    const smallDoc = grid(s, orgId, String(org.code), 1);
    const microDoc = { ...smallDoc, code: `${String(smallDoc.code)}001`, name: '微网格', level: 'micro', parentId: small };
    const reply = await push(device, [
      mutation(mids.next(), 'orgUnit', orgId, org),
      mutation(mids.next(), 'gridUnit', small, smallDoc),
      mutation(mids.next(), 'gridUnit', other, grid(s, orgId, String(org.code), 2)),
      mutation(mids.next(), 'gridUnit', micro, microDoc),
      mutation(mids.next(), 'person', personId, person(s, orgId, '李雷')),
      mutation(mids.next(), 'assignment', duty, { personId, gridId: small, orgUnitId: null, role: 'grid_member_full', startDate: '2024-02-01', endDate: null }),
    ]);
    expect(reply.rejected).toEqual([]);
    return { device, mids, orgId, small, smallCode: String(smallDoc.code), other, micro, microCode: String(microDoc.code), personId, duty, seq: reply.seq };
  }

  const history = (mid: number, gridId: string, action: string) =>
    mutation(mid, 'gridHistory', uid('hist'), { gridId, action, detail: '{}' });

  /** What the station's retireGrid writes for a grid with no child: its duties ended, the grid, its history. */
  const retirement = (st: Awaited<ReturnType<typeof street>>, gridId: string, validTo: string, duties: string[] = []) =>
    command('grid.retire', { gridId, validTo }, [
      ...duties.map((d) => mutation(st.mids.next(), 'assignment', d, { endDate: validTo }, 'update', 1)),
      mutation(st.mids.next(), 'gridUnit', gridId, { validTo }, 'update', 1),
      history(st.mids.next(), gridId, 'retired'),
    ]);

  it('applies a retirement whole: the grid, the duties it ended and its history, one seq each', async () => {
    const st = await street();
    const micro = await push(st.device, retirement(st, st.micro, '2025-06-30'));
    expect(micro.rejected).toEqual([]);
    const reply = await push(st.device, retirement(st, st.small, '2025-06-30', [st.duty]));
    expect(reply.rejected).toEqual([]);
    expect(reply.seq).toBe(micro.seq + 3);
    const changes = (await pull(st.device, micro.seq)).changes;
    expect(changes.map((c) => [c.entity, c.op, c.fields])).toEqual([
      ['assignment', 'update', { endDate: '2025-06-30' }],
      ['gridUnit', 'update', { validTo: '2025-06-30' }],
      ['gridHistory', 'insert', expect.objectContaining({ action: 'retired' })],
    ]);
  });

  it('refuses a retirement whole while the grid has a current child: nothing applied, every mutation refused, and reported again on a resend', async () => {
    const st = await street();
    const batch = retirement(st, st.small, '2025-06-30', [st.duty]);
    const reply = await push(st.device, batch);
    expect(reply.seq).toBe(st.seq);
    expect(reply.rejected.map((r) => [r.mid, r.reason])).toEqual(batch.map((m) => [m.mid, 'grid.has_children']));
    // each refusal carries its record as the server has it, to go back to
    expect(reply.rejected.find((r) => r.entity === 'gridUnit')?.serverRecord).toMatchObject({ id: st.small, version: 1 });
    expect(reply.rejected.find((r) => r.entity === 'assignment')?.serverRecord).toMatchObject({ id: st.duty, endDate: null });
    expect(reply.rejected.find((r) => r.entity === 'gridHistory')?.serverRecord).toBeNull();
    expect((await pull(st.device, st.seq)).changes).toEqual([]);

    const again = await push(st.device, batch);
    expect(again.rejected.map((r) => [r.mid, r.reason])).toEqual(batch.map((m) => [m.mid, 'grid.has_children']));
    const asked = await push(st.device, batch.map((m) => ({ ...m, fields: {} })), { extra: { outcomesOnly: true } });
    expect(asked.rejected.map((r) => r.mid)).toEqual(batch.map((m) => m.mid));
  });

  it('refuses a retirement whole when a duty it did not end would outlive the grid; one due to start later ends on its first day', async () => {
    const st = await street();
    await push(st.device, retirement(st, st.micro, '2025-06-30'));
    const refused = await push(st.device, retirement(st, st.small, '2025-06-30'));
    expect(new Set(refused.rejected.map((r) => r.reason))).toEqual(new Set(['grid.has_members']));

    const later = uid('duty');
    const due = { personId: st.personId, gridId: st.small, orgUnitId: null, role: 'grid_member_part', startDate: '2025-09-01', endDate: null };
    await push(st.device, [mutation(st.mids.next(), 'assignment', later, due)]);
    const members = [
      mutation(st.mids.next(), 'assignment', st.duty, { endDate: '2025-06-30' }, 'update', 1),
      mutation(st.mids.next(), 'assignment', later, { endDate: '2025-09-01' }, 'update', 1),
      mutation(st.mids.next(), 'gridUnit', st.small, { validTo: '2025-06-30' }, 'update', 1),
      history(st.mids.next(), st.small, 'retired'),
    ];
    expect((await push(st.device, command('grid.retire', { gridId: st.small, validTo: '2025-06-30' }, members))).rejected).toEqual([]);
  });

  it('refuses a second retirement of a grid another station retired first', async () => {
    const st = await street();
    expect((await push(st.device, retirement(st, st.micro, '2025-06-30'))).rejected).toEqual([]);
    const second = await push(st.device, retirement(st, st.micro, '2025-03-31'));
    expect(new Set(second.rejected.map((r) => r.reason))).toEqual(new Set(['grid.retired']));
    expect(second.rejected.find((r) => r.entity === 'gridUnit')?.serverRecord).toMatchObject({ validTo: '2025-06-30' });
  });

  const move = (st: Awaited<ReturnType<typeof street>>, parentId: string | null, code: string, date = '2025-01-01') =>
    command('grid.move', { gridId: st.micro, parentId, date }, [
      mutation(st.mids.next(), 'gridUnit', st.micro, { parentId, code }, 'update', 1),
      history(st.mids.next(), st.micro, 'moved'),
    ]);

  it('moves a micro grid with its new code; refuses the move whole under a retired parent, to a wrong level, or of a grid retired by then', async () => {
    const st = await street();
    const otherCode = `${st.smallCode.slice(0, -1)}2001`;
    expect((await push(st.device, retirement(st, st.other, '2026-12-31'))).rejected).toEqual([]);
    const underRetired = await push(st.device, move(st, st.other, otherCode));
    expect(new Set(underRetired.rejected.map((r) => r.reason))).toEqual(new Set(['grid.parent_retired']));
    expect((await push(st.device, move(st, null, st.microCode))).rejected.map((r) => r.reason)).toEqual(['grid.parent_level', 'grid.parent_level']);

    expect((await push(st.device, retirement(st, st.micro, '2025-06-30'))).rejected).toEqual([]);
    const late = await push(st.device, move(st, st.small, st.microCode, '2025-06-30'));
    expect(new Set(late.rejected.map((r) => r.reason))).toEqual(new Set(['grid.retired']));
  });

  it('refuses a move whole when its new code was taken meanwhile, with the winner beside the grid', async () => {
    const st = await street();
    const code = `${st.smallCode.slice(0, -1)}2001`;
    const winner = uid('grid');
    const microDoc = { ...grid(st.device.street, st.orgId, st.smallCode.slice(0, -4), 9), code, level: 'micro', parentId: st.other };
    expect((await push(st.device, [mutation(st.mids.next(), 'gridUnit', winner, microDoc)])).rejected).toEqual([]);
    const reply = await push(st.device, move(st, st.other, code));
    expect(reply.rejected.map((r) => r.reason)).toEqual(['grid.code_taken', 'grid.code_taken']);
    expect(reply.rejected[0]).toMatchObject({ serverRecord: { id: st.micro, parentId: st.small }, conflictingRecord: { id: winner } });
    expect(reply.rejected[1]?.conflictingRecord).toBeNull();
    const moved = await push(st.device, move(st, st.other, `${code.slice(0, -1)}2`));
    expect(moved.rejected).toEqual([]);
  });

  it('refuses whole a command whose mutations are not what it says, and applies the plain mutations around it', async () => {
    const st = await street();
    const before = mutation(st.mids.next(), 'person', st.personId, { phone: '13912345678' }, 'update', 1);
    const stray = command('grid.retire', { gridId: st.micro, validTo: '2025-06-30' }, [
      mutation(st.mids.next(), 'person', st.personId, { status: 'left' }, 'update', 1),
      mutation(st.mids.next(), 'gridUnit', st.micro, { validTo: '2025-06-30' }, 'update', 1),
    ]);
    const otherGrid = command('grid.retire', { gridId: st.micro, validTo: '2025-06-30' }, [
      mutation(st.mids.next(), 'gridUnit', st.micro, { validTo: '2025-06-30' }, 'update', 1),
      history(st.mids.next(), st.other, 'retired'),
    ]);
    const after = mutation(st.mids.next(), 'person', st.personId, { note: '已核实' }, 'update', 2);
    const reply = await push(st.device, [before, ...stray, ...otherGrid, after]);
    expect(reply.rejected.map((r) => r.reason)).toEqual(Array(4).fill('command.malformed'));
    expect(reply.seq).toBe(st.seq + 2);
    expect((await pull(st.device, st.seq)).changes.map((c) => c.fields)).toEqual([{ phone: '13912345678' }, { note: '已核实' }]);
  });

  it('answers 400 to a batch that splits a command, repeats its tag elsewhere or gives it wrong arguments, and applies nothing', async () => {
    const st = await street();
    const whole = retirement(st, st.micro, '2025-06-30');
    const plain = mutation(st.mids.next(), 'person', st.personId, { note: 'x' }, 'update', 1);
    const badArgs = whole.map((m) => ({ ...m, command: { ...m.command!, args: { gridId: st.micro, validTo: '30/06/2025' } } as CommandTag }));
    const wrongSize = whole.map((m) => ({ ...m, command: { ...m.command!, size: 3 } }));
    for (const mutations of [whole.slice(0, 1), [whole[0]!, plain, whole[1]!], badArgs, wrongSize]) {
      const reply = await send(st.device, mutations.map((m, i) => ({ ...m, mid: 1000 + i })));
      expect(reply.status).toBe(400);
      expect(syncError.parse(reply.body).error.reason).toMatch(/^invalid_push:/);
    }
    expect((await pull(st.device, st.seq)).changes).toEqual([]);
  });
});
