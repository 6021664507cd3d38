import { describe, expect, it, vi } from 'vitest';
import type { Handlers } from '../../core/api/contract';
import { dispatch } from '../../electron/dispatch';

const handlers = () => ({ 'people.create': vi.fn(() => ({ id: 'p' })), 'org.tree': vi.fn(() => { throw new Error('disk on fire 13812345678'); }) }) as unknown as Handlers;

describe('dispatch', () => {
  it('rejects bad arguments before the service runs', async () => {
    const h = handlers();
    const reply = await dispatch(h, 'people.create', { name: 42, orgUnitId: 'x', extra: true });
    expect(reply).toMatchObject({ ok: false, error: { code: 'bad_request' } });
    expect(h['people.create']).not.toHaveBeenCalled();
  });
  it('rejects unknown methods', async () => {
    expect(await dispatch(handlers(), 'system.exec', {})).toMatchObject({ ok: false, error: { code: 'unknown_method' } });
    expect(await dispatch(handlers(), 'constructor', {})).toMatchObject({ ok: false, error: { code: 'unknown_method' } });
  });
  it('passes parsed arguments, with defaults applied', async () => {
    const h = handlers();
    await dispatch(h, 'people.create', { name: ' 王五 ', orgUnitId: 'o' });
    expect(h['people.create']).toHaveBeenCalledWith(expect.objectContaining({ name: '王五', partyMember: false, status: 'active' }));
  });
  it('hides internal errors from the caller', async () => {
    const reply = await dispatch(handlers(), 'org.tree', {});
    expect(reply).toEqual({ ok: false, error: { code: 'internal', reason: 'internal', details: {} } });
  });
});
