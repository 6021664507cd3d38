import type { Db, Queryable } from './db';

// Every data access picks a role (see migrations/0001-initial.ts). Request transactions run as
// griddesk_app with the street set, so a query that forgets its street filter still cannot
// see or write another street's rows.

export interface Scope {
  streetId?: string | null;
  tokenHash?: string;
  codeHash?: string;
  /** Milliseconds; PostgreSQL cancels a statement running longer (57014 → 503). */
  statementTimeoutMs?: number;
}

export function withAppScope<T>(db: Db, scope: Scope, fn: (tx: Queryable) => Promise<T>): Promise<T> {
  return db.transaction(async (tx) => {
    // role, timeout and scope in ONE round trip (set_config(..., true) is SET LOCAL): every
    // request pays this, and an empty pull is little else. The role comes first in the list.
    await tx.query(
      `SELECT set_config('role', 'griddesk_app', true), set_config('statement_timeout', coalesce($4, current_setting('statement_timeout')), true),
              set_config('griddesk.street_id', $1, true), set_config('griddesk.token_hash', $2, true),
              set_config('griddesk.code_hash', $3, true)`,
      [
        scope.streetId ?? '',
        scope.tokenHash ?? '',
        scope.codeHash ?? '',
        // none given: keep the database's own default
        scope.statementTimeoutMs ? String(Math.floor(scope.statementTimeoutMs)) : null,
      ],
      { prepared: true },
    );
    return fn(tx);
  });
}

/** District-wide: the admin CLI only. */
export function withAdmin<T>(db: Db, fn: (tx: Queryable) => Promise<T>): Promise<T> {
  return db.transaction(async (tx) => {
    await tx.query('SET LOCAL ROLE griddesk_admin');
    return fn(tx);
  });
}
