import { percentile } from './stats';

// The pollers of the empty-pull bench, in their own process so their HTTP client work does not
// sit on the server's event loop. stdin: {url, headers, pollers: [{token, after}], rounds,
// intervalMs}; stdout: one JSON line with every latency (ms) and the wall time.

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
const latencies: number[] = [];
let failures = 0;
const started = performance.now();
await Promise.all(
  input.pollers.map(async (p, n) => {
    // spread the first requests over one interval, as real stations' timers are
    if (input.intervalMs > 0) await sleep((n * input.intervalMs) / input.pollers.length);
    for (let round = 0; round < input.rounds; round++) {
      const t0 = performance.now();
      const response = await fetch(`${input.url}/v1/pull?after=${p.after}&limit=1000`, {
        headers: { ...input.headers, authorization: `Bearer ${p.token}` },
      });
      const body = (await response.json()) as { changes?: unknown[] };
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
