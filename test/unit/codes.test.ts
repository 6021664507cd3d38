import { describe, expect, it } from 'vitest';
import { allowedParentLevels, gridCodeProblem, makeGridCode } from '../../core/domain/grid';
import { orgCodeProblem } from '../../core/domain/org';

describe('administrative division codes', () => {
  it('checks the shape of each level and nesting under the parent', () => {
    expect(orgCodeProblem('610116000000', 'district', null)).toBeNull();
    expect(orgCodeProblem('610116001000', 'street', '610116000000')).toBeNull();
    expect(orgCodeProblem('610116001001', 'community', '610116001000')).toBeNull();
    expect(orgCodeProblem('610116001001', 'street', '610116000000')).toBe('level_shape');
    expect(orgCodeProblem('610116002001', 'community', '610116001000')).toBe('not_under_parent');
    expect(orgCodeProblem('61011600100', 'street', null)).toBe('format');
  });
});

describe('grid codes', () => {
  const community = '610116001001';
  it('builds and validates codes for each level', () => {
    const small = makeGridCode({ level: 'small', kind: 'basic' }, community, null, 7);
    expect(small).toBe('6101160010013007');
    expect(gridCodeProblem(small, { level: 'small', kind: 'basic' }, community, null)).toBeNull();
    const micro = makeGridCode({ level: 'micro', kind: 'basic' }, community, small, 12);
    expect(micro).toBe('6101160010013007012');
    expect(gridCodeProblem(micro, { level: 'micro', kind: 'basic' }, community, small)).toBeNull();
    expect(makeGridCode({ level: 'small', kind: 'dedicated' }, community, null, 1)).toBe('6101160010014001');
  });
  it('rejects codes from another community, of the wrong type, or not under the parent', () => {
    expect(gridCodeProblem('6101160010023001', { level: 'small', kind: 'basic' }, community, null)).toBe('wrong_community');
    expect(gridCodeProblem('6101160010011001', { level: 'small', kind: 'basic' }, community, null)).toBe('wrong_type');
    expect(gridCodeProblem('6101160010013002001', { level: 'micro', kind: 'basic' }, community, '6101160010013001')).toBe('not_under_parent');
    expect(gridCodeProblem('6101160010013000', { level: 'small', kind: 'basic' }, community, null)).toBe('format');
  });
  it('nests levels large > medium > small > micro', () => {
    expect(allowedParentLevels('micro')).toEqual(['small']);
    expect(allowedParentLevels('large')).toEqual([null]);
    expect(allowedParentLevels('small')).toContain('medium');
  });
});
