import { describe, expect, it } from 'vitest';
import { z } from 'zod';
import { contract, groupApi } from '../../core/api/contract';
import { defineContract, method } from '../../core/api/define';

describe('the API contract', () => {
  it('refuses a method defined twice at start-up', () => {
    const part = { 'grid.tree': method(z.object({}), z.object({})) };
    expect(() => defineContract(part, part)).toThrow(/defined twice: grid.tree/);
  });
  it('refuses names that are not <area>.<verb>', () => {
    expect(() => defineContract({ tree: method(z.object({}), z.object({})) })).toThrow(/area/);
  });
  it('groups every method by area for the client', async () => {
    const calls: string[] = [];
    const api = groupApi(async (name) => {
      calls.push(name);
      return null;
    });
    await api.grid.tree({ orgUnitId: 'x' });
    await api.people.list({});
    expect(calls).toEqual(['grid.tree', 'people.list']);
    const grouped = Object.entries(api).flatMap(([area, verbs]) => Object.keys(verbs).map((v) => `${area}.${v}`));
    expect(grouped.sort()).toEqual(Object.keys(contract).sort());
  });
});
