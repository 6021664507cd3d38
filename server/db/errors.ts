// PostgreSQL errors by SQLSTATE: what the push step may retry (the whole batch, 503) and what
// is a property of one mutation's data (a permanent rejection).

export function sqlState(error: unknown): string | null {
  if (typeof error === 'object' && error !== null && 'code' in error) {
    const code = (error as { code: unknown }).code;
    if (typeof code === 'string' && /^[0-9A-Z]{5}$/.test(code)) return code;
  }
  return null;
}

export function constraintOf(error: unknown): string | null {
  if (typeof error === 'object' && error !== null && 'constraint' in error) {
    const c = (error as { constraint: unknown }).constraint;
    if (typeof c === 'string') return c;
  }
  return null;
}

/** Serialization failure, deadlock, lost connection, shutdown, out of resources, statement timeout. */
export function isTransient(error: unknown): boolean {
  const state = sqlState(error);
  if (state === null) {
    const code = typeof error === 'object' && error !== null && 'code' in error ? (error as { code: unknown }).code : null;
    if (code === 'ECONNREFUSED' || code === 'ECONNRESET' || code === 'ETIMEDOUT' || code === 'EPIPE') return true;
    const message = error instanceof Error ? error.message : '';
    return /Connection terminated|timeout exceeded when trying to connect|Client has encountered a connection error/.test(message);
  }
  return (
    state.startsWith('40') || state.startsWith('08') || state.startsWith('53') || state.startsWith('57') || state === '55P03'
  );
}

/** Data exceptions (22), integrity violations (23), program limits such as nesting depth (54). */
export function isDataError(error: unknown): boolean {
  const state = sqlState(error);
  return state !== null && (state.startsWith('22') || state.startsWith('23') || state.startsWith('54'));
}
