import { Agent, request } from 'node:http';
import { percentile } from './stats';

// The pollers of the empty-pull bench, in their own process so their HTTP client work does not
// sit on the server's event loop. stdin: {url, headers, pollers: [{token, after}], rounds,
// intervalMs}; stdout: one JSON line with the latency percentiles (ms) and the wall time.
//
// 125 stations share this one process (in the field each has its own machine), so their client
// is plain node:http with keep-alive: with fetch (undici) the pollers' own queueing added ~1 ms
// at p50 and ~5 ms at p99 to what the server answered in (server-side p99 6.3 ms, pollers' 11–13
// ms, docs/performance.md), and that process took CPU from the server on the same two cores.

interface Input {
  url: string;
  headers: Record<string, string>;
  pollers: { token: string; after: number }[];
  rounds: number;
  /** 0 = closed loop (the next request as soon as the reply is in). */
  intervalMs: number;
}

const chunks: Buffer[] = [];
for await (const chunk of process.stdin) chunks.push(chunk as Buffer);
const input = JSON.parse(Buffer.concat(chunks).toString('utf8')) as Input;
const sleep = (ms: number): Promise<void> => new Promise((r) => setTimeout(r, ms));
// one kept-alive connection per poller: each polls in sequence
const agent = new Agent({ keepAlive: true });
const url = new URL(input.url);

function get(path: string, headers: Record<string, string>): Promise<{ status: number; body: string }> {
  return new Promise((resolve, reject) => {
    const req = request({ host: url.hostname, port: url.port, path, headers, agent }, (res) => {
      let body = '';
      res.setEncoding('utf8');
      res.on('data', (d: string) => (body += d));
      res.on('end', () => resolve({ status: res.statusCode ?? 0, body }));
      res.on('error', reject);
    });
    req.on('error', reject);
    req.end();
  });
}

const latencies: number[] = [];
let failures = 0;
const started = performance.now();
await Promise.all(
  input.pollers.map(async (p, n) => {
    // spread the first requests over one interval, as real stations' timers are
    if (input.intervalMs > 0) await sleep((n * input.intervalMs) / input.pollers.length);
    for (let round = 0; round < input.rounds; round++) {
      const t0 = performance.now();
      const response = await get(`/v1/pull?after=${p.after}&limit=1000`, { ...input.headers, authorization: `Bearer ${p.token}` });
      const body = JSON.parse(response.body) as { changes?: unknown[] };
      const ms = performance.now() - t0;
      if (response.status !== 200 || body.changes?.length !== 0) failures += 1;
      latencies.push(ms);
      if (input.intervalMs > 0) await sleep(Math.max(0, input.intervalMs * (0.8 + 0.4 * Math.random()) - ms));
    }
  }),
);
const wallMs = performance.now() - started;
process.stdout.write(
  `${JSON.stringify({ requests: latencies.length, failures, wallMs, p50: percentile(latencies, 50), p95: percentile(latencies, 95), p99: percentile(latencies, 99), max: percentile(latencies, 100) })}\n`,
);
