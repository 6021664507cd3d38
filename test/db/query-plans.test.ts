import { afterAll, describe, expect, it } from 'vitest';
import { openStation, seedOrgTree } from '../helpers/station';

// Hot queries must stay on their indexes; a table scan here is a regression at district scale.
const station = openStation();
afterAll(() => station.close());

function plan(sql: string, ...params: unknown[]): string {
  return (station.ctx.db.prepare(`EXPLAIN QUERY PLAN ${sql}`).all(...params) as { detail: string }[]).map((r) => r.detail).join('\n');
}

describe('query plans', () => {
  it('a street roster page searches a street index', async () => {
    await seedOrgTree(station);
    expect(plan('SELECT id FROM person p WHERE p.street_id = ? ORDER BY p.name, p.id LIMIT 50', 'x')).toMatch(/SEARCH p USING (COVERING )?INDEX person_street/);
  });
  it('a street roster filtered by status is one covering index range, sorted by the index', () => {
    const detail = plan('SELECT p.id FROM person p WHERE p.street_id = ? AND p.status = ? ORDER BY p.name, p.id LIMIT 50', 'x', 'active');
    expect(detail).toMatch(/COVERING INDEX person_street_status_name/);
    expect(detail).not.toMatch(/TEMP B-TREE/);
  });
  it('a street grid subtree uses grid_unit_street', () => {
    expect(plan('SELECT * FROM grid_unit g WHERE g.street_id = ? ORDER BY g.code', 'x')).toMatch(/grid_unit_street/);
  });
  it('roles of a page of people use assignment_person', () => {
    expect(plan('SELECT role FROM assignment a WHERE a.person_id IN (SELECT value FROM json_each(?))', '[]')).toMatch(/assignment_person/);
  });
  it('active roles on a street join through grid_unit_street and assignment_grid', () => {
    const detail = plan('SELECT a.role FROM grid_unit g JOIN assignment a ON a.grid_id = g.id WHERE g.street_id = ?', 'x');
    expect(detail).toMatch(/grid_unit_street/);
    expect(detail).toMatch(/assignment_grid/);
  });
});
