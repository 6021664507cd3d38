import { describe, expect, it } from 'vitest';
import type { Mutation } from '../../core/sync/protocol';
import { asServerSees, newStreet, replicaDump, serverDump, type StreetFixture, type SyncStation } from './harness';
import { isOutcomesQuestion, proxiedStations, pushedMutations, SERVER_FAILED } from './proxied-stations';

// A mutation that keeps failing alone is set aside (quarantined), shown, and the queue moves on;
// a person then sends it again or gives it up, and the replica ends where the server is.

const { fx, station, community, people } = proxiedStations();

/** Everything of the street on the server, and the replica as the server would see it, equal. */
async function expectReplicaMatches(s: SyncStation, street: StreetFixture): Promise<void> {
  const server = await serverDump(fx.server.db, street.id);
  expect(asServerSees(replicaDump(s), server)).toEqual(server);
}

/** A station whose retirement of a micro grid (a command: the grid's edit and its history entry) the server kept failing. */
async function quarantinedRetirement() {
  const street = await newStreet(fx.server.db);
  const a = await station(street);
  const c = await community(a, street);
  const base = { category: 'urban_community' as const, validFrom: '2024-01-01', orgUnitId: c.id, name: '网格' };
  const small = await a.call('grid.create', { ...base, code: `${c.code}3001`, level: 'small', parentId: null });
  const micro = await a.call('grid.create', { ...base, code: `${small.code}001`, level: 'micro', parentId: small.id });
  await a.engine.syncNow();
  await people(a, c.id, 2);
  await a.call('grid.retire', { id: micro.id, validTo: '2025-06-30', reason: '区划调整' });
  await people(a, c.id, 2);
  const commandsSent: Mutation[][] = [];
  // the server fails on any batch that holds the command; asked what became of it, it answers
  fx.proxy.setRule((r) => {
    if (r.path !== '/v1/push') return undefined;
    const tagged = pushedMutations(r.json()).filter((m) => m.command);
    if (tagged.length > 0) commandsSent.push(tagged);
    return tagged.length > 0 && !isOutcomesQuestion(r.json()) ? SERVER_FAILED : undefined;
  });
  await a.engine.syncNow();
  fx.proxy.setRule(null);
  // every send carried the command whole: the retirement and its history entry
  expect(commandsSent.length).toBeGreaterThan(2);
  for (const sent of commandsSent) expect(sent.map((m) => m.entity)).toEqual(['gridUnit', 'gridHistory']);
  expect(a.engine.status()).toMatchObject({ pending: 0, quarantined: 2, issues: { quarantine: 1 } });
  expect(Object.keys(await serverDump(fx.server.db, street.id)).filter((k) => k.startsWith('person:'))).toHaveLength(4);
  const issues = await a.call('sync.issues', {});
  expect(issues.map((i) => [i.kind, i.entity, i.command?.name])).toEqual([
    ['quarantine', 'gridHistory', 'grid.retire'],
    ['quarantine', 'gridUnit', 'grid.retire'],
  ]);
  return { street, a, micro, card: issues.find((i) => i.entity === 'gridUnit')! };
}

describe('quarantine', () => {
  it('quarantines a mutation that keeps failing the server alone and pushes the rest', async () => {
    const street = await newStreet(fx.server.db);
    const a = await station(street);
    const c = await community(a, street);
    const [, poisoned] = await people(a, c.id, 5);
    // the server fails on the mutation's content; asked what became of it (fields left out) it answers
    fx.proxy.setRule((r) =>
      r.path === '/v1/push' && !isOutcomesQuestion(r.json()) && pushedMutations(r.json()).some((m) => m.id === poisoned) ? SERVER_FAILED : undefined,
    );
    await a.engine.syncNow();
    fx.proxy.setRule(null);
    expect(a.engine.status()).toMatchObject({ pending: 0, quarantined: 1, issues: { quarantine: 1 } });
    const [issue] = await a.call('sync.issues', {});
    expect(issue).toMatchObject({ kind: 'quarantine', entity: 'person', entityId: poisoned, localFields: { name: '居民1' } });
    const server = await serverDump(fx.server.db, street.id);
    expect(server[`person:${poisoned}`]).toBeUndefined();
    expect(Object.keys(server).filter((k) => k.startsWith('person:'))).toHaveLength(4);

    // once the server is fixed, the person sends it again as a new mutation
    await a.call('sync.resolveIssue', { id: issue!.id, action: 'reapply_mine' });
    await a.engine.syncNow();
    expect((await serverDump(fx.server.db, street.id))[`person:${poisoned}`]).toBeDefined();
  });

  it('quarantines at once a mutation the server cannot read (a 400 naming it), its question too, and pushes the rest', async () => {
    const street = await newStreet(fx.server.db);
    const a = await station(street);
    const c = await community(a, street);
    const [, poisoned] = await people(a, c.id, 5);
    let asked = false;
    // as a server answers a mutation of an entity it does not know: whatever the fields
    fx.proxy.setRule((r) => {
      if (r.path !== '/v1/push') return undefined;
      const at = pushedMutations(r.json()).findIndex((m) => m.id === poisoned);
      if (at < 0) return undefined;
      asked ||= isOutcomesQuestion(r.json());
      return { kind: 'status', status: 400, body: { error: { code: 'bad_request', reason: `invalid_push:mutations.${at}.entity:invalid_value` } } };
    });
    await a.engine.syncNow();
    fx.proxy.setRule(null);
    expect(asked).toBe(true);
    expect(a.engine.status()).toMatchObject({ pending: 0, quarantined: 1, issues: { quarantine: 1 }, lastError: null });
    const [issue] = await a.call('sync.issues', {});
    expect(issue).toMatchObject({ kind: 'quarantine', entityId: poisoned, reason: 'sync.unreadable:invalid_push:mutations.0.entity:invalid_value' });
    expect(Object.keys(await serverDump(fx.server.db, street.id)).filter((k) => k.startsWith('person:'))).toHaveLength(4);

    // the server will never read it: given up, the new person goes, locally too
    await a.call('sync.resolveIssue', { id: issue!.id, action: 'accept_server' });
    expect(await a.fail('people.get', { id: poisoned })).toMatchObject({ code: 'not_found' });
    expect(a.engine.status()).toMatchObject({ pending: 0, quarantined: 0, issues: { quarantine: 0 } });
    await expectReplicaMatches(a, street);
  });

  it('quarantines a command whole when it keeps failing the server, pushes the rest, and sends it again whole', async () => {
    const { street, a, micro, card } = await quarantinedRetirement();
    // once the server is fixed, the person sends it again: a new command of the same changes
    await a.call('sync.resolveIssue', { id: card.id, action: 'reapply_mine' });
    expect(a.engine.status()).toMatchObject({ pending: 2, quarantined: 0, issues: { quarantine: 0 } });
    await a.engine.syncNow();
    expect((await serverDump(fx.server.db, street.id))[`gridUnit:${micro.id}`]?.fields).toMatchObject({ validTo: '2025-06-30' });
    await expectReplicaMatches(a, street);
  });

  it('gives up a quarantined command whole: the grid as the server holds it, the history entry gone', async () => {
    const { street, a, micro, card } = await quarantinedRetirement();
    await a.call('sync.resolveIssue', { id: card.id, action: 'accept_server' });
    const { grid, history } = await a.call('grid.get', { id: micro.id });
    expect(grid.validTo).toBeNull();
    expect(history.map((h) => h.action)).toEqual(['created']);
    expect(a.engine.status()).toMatchObject({ pending: 0, quarantined: 0, issues: { quarantine: 0 } });
    await a.engine.syncNow();
    expect((await serverDump(fx.server.db, street.id))[`gridUnit:${micro.id}`]?.fields).not.toHaveProperty('validTo');
    await expectReplicaMatches(a, street);
  });

  it('quarantines nothing while the server answers every push with 500, the question too', async () => {
    const street = await newStreet(fx.server.db);
    const a = await station(street);
    const c = await community(a, street);
    await people(a, c.id, 3);
    const questions: number[] = [];
    fx.proxy.setRule((r) => {
      if (r.path !== '/v1/push') return undefined;
      if (isOutcomesQuestion(r.json())) questions.push(r.n);
      return SERVER_FAILED;
    });
    // each cycle halves down to the first mutation; its third lone failure asks the server, which fails that too
    for (let i = 0; i < 4; i++) await expect(a.engine.syncNow()).rejects.toThrow(/HTTP 500/);
    expect(questions.length).toBeGreaterThan(0);
    expect(a.engine.status()).toMatchObject({ pending: 4, quarantined: 0, issues: { quarantine: 0 }, lastError: { reason: 'http.500.internal_error' } });

    // the server recovers: everything goes through, nothing was lost on the way
    fx.proxy.setRule(null);
    await a.engine.syncNow();
    expect(a.engine.status()).toMatchObject({ pending: 0, quarantined: 0, lastError: null });
    expect(Object.keys(await serverDump(fx.server.db, street.id)).filter((k) => k.startsWith('person:'))).toHaveLength(3);
  });

  describe('giving up a quarantined edit puts back the record as the server holds it now', () => {
    /** Station A's person, known to station B too; the server cannot read A's edits that set `phone` to one of `unreadable`. */
    async function sharedPerson(unreadable: readonly string[]) {
      const street = await newStreet(fx.server.db);
      const a = await station(street);
      const b = await station(street);
      const c = await community(a, street);
      const [id] = await people(a, c.id, 1, '初始备注');
      await a.engine.syncNow();
      await b.engine.syncNow();
      fx.proxy.setRule((r) => {
        if (r.path !== '/v1/push') return undefined;
        const at = pushedMutations(r.json()).findIndex((m) => m.op === 'update' && unreadable.includes(m.fields['phone'] as string));
        return at < 0 ? undefined : { kind: 'status', status: 400, body: { error: { code: 'bad_request', reason: `invalid_push:mutations.${at}.fields:invalid_value` } } };
      });
      const phoneOf = async (s: SyncStation) => (await s.call('people.get', { id: id! })).person.phone;
      const edit = (s: SyncStation, patch: Record<string, string>) => s.call('people.update', { id: id!, patch });
      const cards = async () => (await a.call('sync.issues', {})).filter((i) => i.kind === 'quarantine');
      return { street, a, b, id: id!, phoneOf, edit, cards };
    }

    it('with what another station wrote meanwhile, and an edit of A the server took in between', async () => {
      const { street, a, b, edit, phoneOf, cards } = await sharedPerson(['13800000001']);
      await edit(a, { note: '甲站的备注' });
      await edit(b, { phone: '13900000000' });
      await b.engine.syncNow();
      // A's note goes (server version 3, after B's phone at 2); its phone edit, made on top, is set aside
      await edit(a, { phone: '13800000001' });
      await a.engine.syncNow();
      const [card] = await cards();
      expect(card).toMatchObject({ entity: 'person', localFields: { phone: '13800000001' } });
      await a.call('sync.resolveIssue', { id: card!.id, action: 'accept_server' });
      expect(await phoneOf(a)).toBe('13900000000');
      expect(a.engine.status()).toMatchObject({ pending: 0, quarantined: 0, issues: { quarantine: 0 } });
      await a.engine.syncNow();
      await expectReplicaMatches(a, street);
    });

    it('after it was sent again and set aside again', async () => {
      const { street, a, edit, phoneOf, cards } = await sharedPerson(['13800000001']);
      await edit(a, { phone: '13800000001' });
      await a.engine.syncNow();
      await a.call('sync.resolveIssue', { id: (await cards())[0]!.id, action: 'reapply_mine' });
      await a.engine.syncNow();
      const [again] = await cards();
      expect(again).toMatchObject({ localFields: { phone: '13800000001' } });
      await a.call('sync.resolveIssue', { id: again!.id, action: 'accept_server' });
      expect(await phoneOf(a)).toBeNull();
      await a.engine.syncNow();
      await expectReplicaMatches(a, street);
    });

    it('whichever of two edits of one field is given up first', async () => {
      for (const order of [[0, 1], [1, 0]]) {
        const { street, a, edit, phoneOf, cards } = await sharedPerson(['13800000001', '13800000002']);
        await edit(a, { phone: '13800000001' });
        await edit(a, { phone: '13800000002' });
        await a.engine.syncNow();
        const both = (await cards()).sort((x, y) => x.mid! - y.mid!);
        expect(both.map((c) => c.localFields?.['phone'])).toEqual(['13800000001', '13800000002']);
        await a.call('sync.resolveIssue', { id: both[order[0]!]!.id, action: 'accept_server' });
        // the other is still waiting, so its value still shows
        expect(await phoneOf(a)).toBe(order[0] === 0 ? '13800000002' : '13800000001');
        await a.call('sync.resolveIssue', { id: both[order[1]!]!.id, action: 'accept_server' });
        expect(await phoneOf(a), `order ${order.join()}`).toBeNull();
        await a.engine.syncNow();
        await expectReplicaMatches(a, street);
      }
    });

    it('only with the server: offline nothing changes and the card stays', async () => {
      const { a, edit, phoneOf, cards } = await sharedPerson(['13800000001']);
      await edit(a, { phone: '13800000001' });
      await a.engine.syncNow();
      const [card] = await cards();
      fx.proxy.setRule((r) => (r.path === '/v1/records' ? { kind: 'reset' } : undefined));
      expect(await a.fail('sync.resolveIssue', { id: card!.id, action: 'accept_server' })).toMatchObject({ reason: 'sync.give_up_needs_server' });
      expect(await phoneOf(a)).toBe('13800000001');
      expect(a.engine.status()).toMatchObject({ quarantined: 1, issues: { quarantine: 1 } });
      fx.proxy.setRule(null);
      await a.call('sync.resolveIssue', { id: card!.id, action: 'accept_server' });
      expect(await phoneOf(a)).toBeNull();
    });

    it('when a pull came in after the server answered: it asks again', async () => {
      const { street, a, b, edit, phoneOf, cards } = await sharedPerson(['13800000001']);
      await edit(a, { phone: '13800000001' });
      await a.engine.syncNow();
      const [card] = await cards();
      const ask = a.engine.serverRecords.bind(a.engine);
      let asked = 0;
      a.engine.serverRecords = async (refs) => {
        const answer = await ask(refs);
        // the first answer is overtaken: B's change comes in on A's pull before A settles
        if (asked++ === 0) {
          await edit(b, { phone: '13900000000' });
          await b.engine.syncNow();
          await a.engine.syncNow();
        }
        return answer;
      };
      await a.call('sync.resolveIssue', { id: card!.id, action: 'accept_server' });
      expect(asked).toBe(2);
      expect(await phoneOf(a)).toBe('13900000000');
      await a.engine.syncNow();
      await expectReplicaMatches(a, street);
    });

    it('for a record the server does not hold yet: the values the edit started from, a command whole', async () => {
      const street = await newStreet(fx.server.db);
      const a = await station(street);
      const c = await community(a, street);
      const base = { category: 'urban_community' as const, validFrom: '2024-01-01', orgUnitId: c.id, name: '网格' };
      const small = await a.call('grid.create', { ...base, code: `${c.code}3001`, level: 'small', parentId: null });
      await a.engine.syncNow();
      const micro = await a.call('grid.create', { ...base, code: `${small.code}001`, level: 'micro', parentId: small.id });
      // this server cannot read anything about the new grid: its insert, then its retirement, are set aside
      fx.proxy.setRule((r) => {
        if (r.path !== '/v1/push') return undefined;
        const at = pushedMutations(r.json()).findIndex((m) => m.id === micro.id || m.fields['gridId'] === micro.id);
        return at < 0 ? undefined : { kind: 'status', status: 400, body: { error: { code: 'bad_request', reason: `invalid_push:mutations.${at}.fields:invalid_value` } } };
      });
      await a.engine.syncNow();
      await a.call('grid.retire', { id: micro.id, validTo: '2025-06-30', reason: '区划调整' });
      await a.engine.syncNow();
      fx.proxy.setRule(null);
      const retirement = (await a.call('sync.issues', {})).find((i) => i.command?.name === 'grid.retire' && i.entity === 'gridUnit')!;
      await a.call('sync.resolveIssue', { id: retirement.id, action: 'accept_server' });
      const { grid, history } = await a.call('grid.get', { id: micro.id });
      expect(grid.validTo).toBeNull();
      expect(history.map((h) => h.action)).toEqual(['created']);
      // the new grid itself is still set aside; given up too, it goes
      const insert = (await a.call('sync.issues', {})).find((i) => i.kind === 'quarantine' && i.entity === 'gridUnit')!;
      await a.call('sync.resolveIssue', { id: insert.id, action: 'accept_server' });
      expect(await a.fail('grid.get', { id: micro.id })).toMatchObject({ code: 'not_found' });
      expect(a.engine.status()).toMatchObject({ pending: 0, quarantined: 0, issues: { quarantine: 0 } });
      await a.engine.syncNow();
      await expectReplicaMatches(a, street);
    });
  });
});
