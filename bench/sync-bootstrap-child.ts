import './quiet';
import { readFileSync } from 'node:fs';
import { bootstrap } from '../electron/sync/bootstrap';
import { cachedStatement } from '../electron/store/statements';
import type { BenchDevice } from './sync-env';
import { openStation } from './sync-station';

// The station side of the bootstrap bench, alone in its process so its memory is its own:
// argv[2] = {serverUrl, device}. Prints one JSON line: time, records, RSS before and at peak.

const { serverUrl, device } = JSON.parse(process.argv[2] ?? '{}') as { serverUrl: string; device: BenchDevice };
const station = openStation(serverUrl, device);
const rssBefore = process.memoryUsage.rss();
let sampledPeak = rssBefore;
const sampler = setInterval(() => {
  sampledPeak = Math.max(sampledPeak, process.memoryUsage.rss());
}, 10);
const started = performance.now();
await bootstrap(station.run);
const ms = performance.now() - started;
clearInterval(sampler);
/**
 * The kernel's high-water mark catches a peak between two samples (the loop is blocked while a
 * chunk is written). On Linux it is read from /proc: getrusage's maxRSS also counts the
 * parent's memory at fork (the bench process, a few hundred MB after the other sync benches).
 */
function highWaterMark(): number {
  try {
    const kb = /VmHWM:\s+(\d+) kB/.exec(readFileSync('/proc/self/status', 'utf8'))?.[1];
    if (kb) return Number(kb) * 1024;
  } catch {
    // no /proc (macOS, Windows): getrusage below
  }
  return process.resourceUsage().maxRSS * 1024;
}
const peakRss = Math.max(sampledPeak, highWaterMark());
const records = (cachedStatement(station.ctx.db, 'SELECT count(*) AS n FROM person').get() as { n: number }).n;
station.close();
process.stdout.write(`${JSON.stringify({ ms, records, rssBefore, peakRss })}\n`);
