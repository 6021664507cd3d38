import { createHash } from 'node:crypto';
import pg from 'pg';
import { assertChannel, type Db, type Queryable, type QueryOptions, type QueryResult, type Unlisten } from './db';

// PostgreSQL through a pool. LISTEN needs its own long-lived connection: one per process,
// shared by every SSE stream of that process, re-established after an error.

const statementNames = new Map<string, string>();

/** A prepared statement's name, derived from its text: one text, one name, on every connection. */
function statementName(sql: string): string {
  let name = statementNames.get(sql);
  if (!name) {
    name = `gd_${createHash('sha1').update(sql).digest('hex').slice(0, 24)}`;
    statementNames.set(sql, name);
  }
  return name;
}

function wrap(client: pg.Pool | pg.PoolClient | pg.Client): Queryable {
  return {
    async query<Row>(sql: string, params?: readonly unknown[], options?: QueryOptions): Promise<QueryResult<Row>> {
      const values = params ? [...params] : undefined;
      const result = options?.prepared ? await client.query({ name: statementName(sql), text: sql, values }) : await client.query(sql, values);
      return { rows: result.rows as Row[], rowCount: result.rowCount ?? 0 };
    },
    async exec(sql: string): Promise<void> {
      await client.query(sql);
    },
  };
}

class Listener {
  private client: pg.Client | null = null;
  private connecting: Promise<pg.Client> | null = null;
  private readonly handlers = new Map<string, Set<(payload: string) => void>>();
  private closed = false;

  constructor(private readonly connectionString: string) {}

  private async connection(): Promise<pg.Client> {
    if (this.client) return this.client;
    if (!this.connecting) {
      this.connecting = (async () => {
        const client = new pg.Client({ connectionString: this.connectionString });
        client.on('notification', (msg) => {
          for (const handler of this.handlers.get(msg.channel) ?? []) handler(msg.payload ?? '');
        });
        client.on('error', () => this.reconnect(client));
        await client.connect();
        for (const channel of this.handlers.keys()) await client.query(`LISTEN ${channel}`);
        this.client = client;
        return client;
      })().finally(() => {
        this.connecting = null;
      });
    }
    return this.connecting;
  }

  private reconnect(broken: pg.Client): void {
    if (this.client !== broken) return;
    this.client = null;
    void broken.end().catch(() => undefined);
    if (this.closed) return;
    const retry = (): void => {
      if (this.closed || this.handlers.size === 0) return;
      this.connection().catch(() => setTimeout(retry, 1000).unref());
    };
    setTimeout(retry, 200).unref();
  }

  async listen(channel: string, handler: (payload: string) => void): Promise<Unlisten> {
    assertChannel(channel);
    let set = this.handlers.get(channel);
    const first = !set;
    if (!set) {
      set = new Set();
      this.handlers.set(channel, set);
    }
    set.add(handler);
    const client = await this.connection();
    if (first) await client.query(`LISTEN ${channel}`);
    return async () => {
      const current = this.handlers.get(channel);
      if (!current) return;
      current.delete(handler);
      if (current.size === 0) {
        this.handlers.delete(channel);
        await this.client?.query(`UNLISTEN ${channel}`).catch(() => undefined);
      }
    };
  }

  async close(): Promise<void> {
    this.closed = true;
    this.handlers.clear();
    const client = this.client;
    this.client = null;
    await client?.end().catch(() => undefined);
  }
}

export function openPg(connectionString: string, options: { max?: number } = {}): Db {
  const pool = new pg.Pool({ connectionString, max: options.max ?? 10 });
  // An idle client losing its connection must not crash the process; the next query reconnects.
  pool.on('error', () => undefined);
  const listener = new Listener(connectionString);
  const direct = wrap(pool);
  return {
    kind: 'pg',
    query: (sql, params, queryOptions) => direct.query(sql, params, queryOptions),
    exec: (sql) => direct.exec(sql),
    async script<Row>(sql: string) {
      // no values: pg sends the simple Query message, and answers each statement's result
      const results = (await pool.query(sql)) as pg.QueryResult | pg.QueryResult[];
      const last = (Array.isArray(results) ? results.at(-1) : results) as pg.QueryResult;
      return { rows: last.rows as Row[], rowCount: last.rowCount ?? 0 };
    },
    async transaction(fn) {
      const client = await pool.connect();
      let broken = false;
      try {
        await client.query('BEGIN');
        const result = await fn(wrap(client));
        await client.query('COMMIT');
        return result;
      } catch (error) {
        try {
          await client.query('ROLLBACK');
        } catch {
          broken = true;
        }
        throw error;
      } finally {
        client.release(broken);
      }
    },
    listen: (channel, onPayload) => listener.listen(channel, onPayload),
    async close() {
      await listener.close();
      await pool.end();
    },
  };
}
