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
    // it cannot be given up (nothing here knows what it changed from); once the server is fixed,
    // the person sends it again: a new command of the same changes
    expect(await a.fail('sync.resolveIssue', { id: card.id, action: 'accept_server' })).toMatchObject({ reason: 'sync.command_resend_only' });
    expect((await a.call('grid.get', { id: micro.id })).grid.validTo).toBe('2025-06-30');
    await a.call('sync.resolveIssue', { id: card.id, action: 'reapply_mine' });
    expect(a.engine.status()).toMatchObject({ pending: 2, quarantined: 0, issues: { quarantine: 0 } });
    await a.engine.syncNow();
    expect((await serverDump(fx.server.db, street.id))[`gridUnit:${micro.id}`]?.fields).toMatchObject({ validTo: '2025-06-30' });
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
});
