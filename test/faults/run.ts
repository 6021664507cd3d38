import { errorReason } from '../../electron/sync/transport';
import { enrollmentCode, FAST, newStreet, openSyncStation, type StreetFixture, type SyncStation } from '../sync/harness';
import type { Backend } from './backend';
import { checkIsolation, checkReplica, checkServer, checkStation, openIssues, serverView } from './check';
import { describeOp, scenarioOf, type Mix, type Op, type Scenario, type ScenarioLimits, type WriteAction } from './model';
import { openLink, type Link } from './network';
import { NothingToDo, PREREQUISITE, write } from './writes';

// One fault run: seed -> scenario -> stations on temp SQLite files, each behind its own fault
// proxy -> the operations -> heal, drain, check -> a person reviews every issue -> drain,
// check again, now also replica == server.

export interface RunResult {
  seed: number;
  backend: Backend['name'];
  mix: Mix;
  violations: string[];
  trace: string[];
  ms: number;
  stats: { ops: number; stations: number; faults: number; issues: number };
}

interface Node {
  name: string;
  station: SyncStation;
  link: Link;
}

/** Drain within this: every outbox empty and every cursor at the street's seq (ISSUE: 30 s). */
export const DRAIN_MS = 30_000;
const REQUEST_TIMEOUT_MS = 1_500;

class Run {
  readonly nodes: Node[] = [];
  other: Node | null = null;
  otherStreet: StreetFixture | null = null;
  private faultMark = new Map<Link, number>();
  /** Operations left until a partitioned link comes back by itself. */
  readonly partitions = new Map<Link, number>();

  constructor(
    readonly backend: Backend,
    readonly scenario: Scenario,
    readonly street: StreetFixture,
    readonly trace: string[],
  ) {}

  note(line: string): void {
    this.trace.push(line);
    for (const n of [...this.nodes, ...(this.other ? [this.other] : [])]) {
      const from = this.faultMark.get(n.link) ?? 0;
      for (const f of n.link.injected.slice(from)) this.trace.push(`    ! ${f}`);
      this.faultMark.set(n.link, n.link.injected.length);
    }
  }

  async addStation(street: StreetFixture, name: string, linkSeed: number): Promise<Node> {
    const link = await openLink(this.backend.url, linkSeed, name);
    const station = openSyncStation({
      ...FAST,
      batchStart: this.scenario.batchStart,
      timeouts: { pushMs: REQUEST_TIMEOUT_MS, pullMs: REQUEST_TIMEOUT_MS, chunkMs: REQUEST_TIMEOUT_MS },
    });
    try {
      await station.engine.enroll({ serverUrl: link.url, code: await enrollmentCode(this.backend.db, street), deviceName: name });
    } catch (error) {
      station.close();
      await link.close();
      throw error;
    }
    return { name, station, link };
  }

  /** Where each station stands, for a HUNG report: its cycle's phase and the last requests on its link. */
  state(): string[] {
    return [...this.nodes, ...(this.other ? [this.other] : [])].map((n) => {
      const s = n.station.engine.status();
      const last = n.link.requests().slice(-4).map((r) => `${r.method} ${r.path.replace(/\?.*/, '')} ${r.action}`);
      return `${n.name}: ${s.progress.phase} ${s.progress.done}/${s.progress.total}, ${s.pending} pending, last error ${s.lastError?.reason ?? 'none'}; last requests: ${last.join(' | ') || 'none'}`;
    });
  }

  private healLink(link: Link): void {
    // the network comes back; the fault profile the link had stays
    link.partitioned = false;
    this.partitions.delete(link);
  }

  /** Counts down partitions after each operation. */
  tick(): void {
    for (const [link, left] of this.partitions) {
      if (left <= 1) {
        this.healLink(link);
        this.trace.push(`    (${link.name} back online)`);
      } else this.partitions.set(link, left - 1);
    }
  }

  private node(i: number): Node {
    return this.nodes[i % this.nodes.length]!;
  }

  async sync(n: Node): Promise<string> {
    return n.station.engine.syncNow().then(
      () => 'ok',
      (e: unknown) => `failed ${errorReason(e)}`,
    );
  }

  async op(op: Op): Promise<string> {
    switch (op.kind) {
      case 'write': {
        const n = this.node(op.station);
        // a write with nothing to act on writes what it lacked instead (up to the community)
        for (let action: WriteAction | null = op.action; action; action = PREREQUISITE[action]) {
          try {
            return `${n.name} ${action}: ${await write(n.station, this.street, action, op.pick)}`;
          } catch (e) {
            if (e instanceof NothingToDo) continue;
            return `${n.name} ${action}: refused locally ${e instanceof Error ? e.message.slice(0, 120) : String(e)}`;
          }
        }
        return `${n.name} ${op.action}: nothing to act on`;
      }
      case 'sync': {
        const n = this.node(op.station);
        return `${n.name} sync ${await this.sync(n)}`;
      }
      case 'syncAll': {
        const results = await Promise.all(this.nodes.map((n) => this.sync(n)));
        return `syncAll ${results.join(' | ')}`;
      }
      case 'profile':
        this.node(op.station).link.setProfile(op.profile);
        return describeOp(op);
      case 'partition':
        for (const n of op.station === 'all' ? this.nodes : [this.node(op.station)]) {
          n.link.partition();
          this.partitions.set(n.link, op.ops);
        }
        return describeOp(op);
      case 'heal':
        for (const n of op.station === 'all' ? this.nodes : [this.node(op.station)]) this.healLink(n.link);
        return describeOp(op);
      case 'review': {
        const n = this.node(op.station);
        return `${n.name} review: ${await review(n.station)}`;
      }
      case 'join': {
        const n = await this.addStation(this.street, `S${this.nodes.length}`, this.scenario.seed * 7 + this.nodes.length);
        this.nodes.push(n);
        return `${n.name} joins: ${await this.sync(n)}`;
      }
      case 'otherStreetSync': {
        if (!this.other) return 'no other street';
        const org = this.other.station.ctx.db.prepare("SELECT id FROM org_unit WHERE level = 'street'").get() as { id: string } | undefined;
        if (org) await this.other.station.call('people.create', { name: '外街居民', orgUnitId: org.id });
        return `other street sync ${await this.sync(this.other)}`;
      }
    }
  }

  /** Heals the network and syncs every station round-robin until all are quiet. */
  async drain(phase: string): Promise<string[]> {
    for (const n of [...this.nodes, ...(this.other ? [this.other] : [])]) n.link.heal();
    const until = Date.now() + DRAIN_MS;
    for (let round = 1; ; round++) {
      for (const n of this.nodes) await this.sync(n);
      if (this.other) await this.sync(this.other);
      const view = await serverView(this.backend.db, this.street.id);
      const otherSeq = this.otherStreet ? (await serverView(this.backend.db, this.otherStreet.id)).streetSeq : 0;
      const headAt = (n: Node, seq: number): boolean => {
        const s = n.station.engine.status();
        return s.pending === 0 && s.cursor === seq && s.bootstrapped && s.lastError === null;
      };
      const quiet = this.nodes.every((n) => headAt(n, view.streetSeq)) && (!this.other || headAt(this.other, otherSeq));
      if (quiet) {
        this.note(`drain (${phase}) quiet after ${round} round(s), street seq ${view.streetSeq}`);
        return [];
      }
      if (Date.now() > until) {
        const states = this.nodes.map((n) => {
          const s = n.station.engine.status();
          return `${n.name} pending=${s.pending} cursor=${s.cursor} error=${s.lastError?.reason ?? '-'}`;
        });
        return [`(4) outboxes did not drain within ${DRAIN_MS / 1000} s (${phase}): ${states.join('; ')} street seq ${view.streetSeq}`];
      }
    }
  }

  async check(phase: 'before review' | 'after review'): Promise<string[]> {
    const view = await serverView(this.backend.db, this.street.id);
    const out = checkServer(view);
    for (const n of this.nodes) {
      out.push(...checkStation(n.name, n.station, view));
      if (phase === 'after review') {
        out.push(...checkReplica(n.name, n.station, view, view.streetSeq));
        if (openIssues(n.station) > 0) out.push(`(4) ${n.name} still has ${openIssues(n.station)} open issue(s) after the review`);
      }
    }
    if (this.other && this.otherStreet) {
      // the other street's station is held to the same rules, against its own street
      const otherView = await serverView(this.backend.db, this.otherStreet.id);
      out.push(...checkIsolation(this.other.station, view, otherView));
      out.push(...checkStation('other street', this.other.station, otherView));
      if (phase === 'after review') {
        out.push(...checkReplica('other street', this.other.station, otherView, otherView.streetSeq));
        if (openIssues(this.other.station) > 0) out.push(`(4) other street still has ${openIssues(this.other.station)} open issue(s) after the review`);
      }
    }
    return out.map((v) => `[${phase}] ${v}`);
  }

  async close(): Promise<void> {
    for (const n of [...this.nodes, ...(this.other ? [this.other] : [])]) {
      await n.station.engine.stop();
      n.station.close();
      await n.link.close();
    }
  }
}

async function giveUp(s: SyncStation, id: number): Promise<boolean> {
  try {
    await s.call('sync.resolveIssue', { id, action: 'accept_server' });
    return true;
  } catch {
    return false;
  }
}

/** What a person does with the open issues of a station: the review the UI asks for. */
export async function review(s: SyncStation): Promise<string> {
  const done: string[] = [];
  for (const issue of await s.call('sync.issues', {})) {
    // a stale edit already won: every other one is acknowledged (dismiss), the rest give way to
    // the values they overwrote (accept_server, a new edit), except an edit of a command the
    // server applied, which only the grid page changes (tried, refused, then dismissed); a
    // refused change gives way to the server
    // (accept_server); a quarantined one is sent again once the network is fine (reapply_mine)
    // or, every other one by mid, given up (accept_server: the record as the server holds it)
    const action =
      issue.kind === 'conflict'
        ? issue.id % 2 === 0 && !issue.command
          ? 'accept_server'
          : 'dismiss'
        : issue.kind === 'rejection' || (issue.mid ?? 0) % 2 === 0
          ? 'accept_server'
          : 'reapply_mine';
    if (issue.kind === 'conflict' && issue.command && issue.id % 2 === 0) {
      // the card offers no accept here; asked anyway, the station must refuse to undo the
      // command's edit field by field (a plain s.call failing would end the run as a crash)
      const refused = await s.fail('sync.resolveIssue', { id: issue.id, action: 'accept_server' });
      if (refused.reason !== 'sync.command_undo') throw new Error(`(6) accept_server on a conflict of ${issue.command.name} refused as ${refused.reason}`);
      done.push(`conflict of ${issue.command.name}: accept refused`);
    }
    try {
      await s.call('sync.resolveIssue', { id: issue.id, action });
      done.push(`${issue.kind}:${issue.reason}->${action}`);
    } catch {
      // A quarantined change that can no longer be made (its resident ID now belongs to someone
      // pulled meanwhile, say) is given up, as the person would once the app refuses it.
      if (issue.kind === 'quarantine' && (await giveUp(s, issue.id))) {
        done.push(`${issue.kind}:${issue.reason}->accept_server (reapply refused)`);
        continue;
      }
      // e.g. a refused grid that still has refused children: their issues go first, next round
      done.push(`${issue.kind}:${issue.reason} deferred`);
    }
  }
  return done.length ? done.join(', ') : 'nothing open';
}

/**
 * `trace` is filled as the run goes, so a caller whose run never ends can still say where it
 * stood (the CLI's HUNG report).
 */
/** What a caller can see of a run while it runs: its trace, and where its stations stand. */
export interface RunProbe {
  trace: string[];
  state: () => string[];
}

export async function runScenario(backend: Backend, seed: number, options: { limits?: ScenarioLimits; probe?: RunProbe; mix?: Mix } = {}): Promise<RunResult> {
  const started = Date.now();
  const scenario = scenarioOf(seed, options.mix, options.limits);
  const street = await newStreet(backend.db);
  const run = new Run(backend, scenario, street, options.probe?.trace ?? []);
  if (options.probe) options.probe.state = () => run.state();
  const violations: string[] = [];
  run.note(`seed ${seed}${options.mix ? ` (${options.mix})` : ''}: ${scenario.stations} stations, batch ${scenario.batchStart}, ${scenario.ops.length} ops, other street ${scenario.otherStreet}`);
  try {
    for (let i = 0; i < scenario.stations; i++) {
      const n = await run.addStation(street, `S${i}`, seed * 7 + i);
      run.nodes.push(n);
      run.note(`${n.name} enrolled, first sync ${await run.sync(n)}`);
      n.link.setProfile(scenario.profiles[i] ?? 'calm');
      run.note(`${n.name} faults=${n.link.profile}`);
    }
    if (scenario.otherStreet) {
      run.otherStreet = await newStreet(backend.db);
      run.other = await run.addStation(run.otherStreet, 'X', seed * 7 + 99);
      run.other.link.setProfile('flaky');
      run.note(`X (other street) enrolled, first sync ${await run.sync(run.other)}`);
    }
    for (const op of scenario.ops) {
      // the operation under way stands in the trace until it is done: what a HUNG report shows
      const pending = run.trace.push(`(under way) ${describeOp(op)}`) - 1;
      const outcome = await run.op(op);
      run.trace.splice(pending, 1);
      run.note(outcome);
      run.tick();
    }

    violations.push(...(await run.drain('before review')));
    if (violations.length === 0) violations.push(...(await run.check('before review')));
    // the person reviews every issue until none is open: refused rows go, quarantined ones retry
    const everyStation = [...run.nodes, ...(run.other ? [run.other] : [])];
    for (let round = 0; round < 6 && violations.length === 0; round++) {
      if (everyStation.every((n) => openIssues(n.station) === 0)) break;
      for (const n of everyStation) run.note(`${n.name} final review: ${await review(n.station)}`);
      violations.push(...(await run.drain(`after review ${round + 1}`)));
    }
    if (violations.length === 0) violations.push(...(await run.check('after review')));
  } catch (error) {
    violations.push(`run crashed: ${error instanceof Error ? (error.stack ?? error.message) : String(error)}`);
  } finally {
    await run.close();
  }
  // a server that died mid-run may leave the others to converge alone: the run still fails
  const crash = backend.crashed();
  if (crash) violations.push(crash);
  const faults = [...run.nodes, ...(run.other ? [run.other] : [])].reduce((s, n) => s + n.link.injected.length, 0);
  const issues = run.trace.filter((l) => l.includes('->')).length;
  return { seed, backend: backend.name, mix: options.mix ?? 'roster', violations, trace: run.trace, ms: Date.now() - started, stats: { ops: scenario.ops.length, stations: run.nodes.length, faults, issues } };
}

/** A run that gave no result in time; its message is the HUNG report (hungReport). */
export class RunHung extends Error {}

/** Seed, replay line, the trace so far, where each station stands, and the kinds of handle the process still waits on. */
function hungReport(r: Pick<RunResult, 'seed' | 'backend' | 'mix'>, probe: RunProbe, afterMs: number): string {
  const stations = probe.state();
  return [
    `HUNG seed ${r.seed} (${r.backend}): no result after ${afterMs / 1000} s`,
    `replay: ${replayCommand(r)}`,
    'trace so far:',
    ...probe.trace.slice(-40).map((l) => `  ${l}`),
    'stations:',
    ...(stations.length > 0 ? stations : ['none enrolled yet']).map((l) => `  ${l}`),
    `waiting on: ${process.getActiveResourcesInfo().join(', ')}`,
  ].join('\n');
}

/**
 * runScenario with a bound: a run with no result after `hungMs` rejects with RunHung instead of
 * leaving its caller (a test's timeout, the CLI) with nothing but the time. A run ends by its
 * own deadlines (30 s drains, six review rounds), so the bound catches only a run stuck in an
 * await that never settles.
 */
export function runBounded(backend: Backend, seed: number, options: { mix?: Mix }, hungMs: number): Promise<RunResult> {
  const probe: RunProbe = { trace: [], state: () => [] };
  let timer: NodeJS.Timeout | undefined;
  const hung = new Promise<never>((_, reject) => {
    timer = setTimeout(() => reject(new RunHung(hungReport({ seed, backend: backend.name, mix: options.mix ?? 'roster' }, probe, hungMs))), hungMs);
  });
  return Promise.race([runScenario(backend, seed, { ...options, probe }), hung]).finally(() => clearTimeout(timer));
}

/** The fixed-seed suites' per-test timeout: room for a drain that fails at 30 s after a slow run. */
export const TEST_RUN_TIMEOUT_MS = 3 * DRAIN_MS;

/**
 * The fixed-seed suites' test body (model-runs*.test.ts). Bounded below TEST_RUN_TIMEOUT_MS, so
 * a stuck run fails with its HUNG report rather than a bare vitest timeout; a drain that misses
 * its 30 s fails with its own report, which is why a test may take longer than one drain.
 */
export async function expectRunPasses(backend: Backend, seed: number, mix?: Mix): Promise<void> {
  const result = await runBounded(backend, seed, { mix }, TEST_RUN_TIMEOUT_MS - 10_000);
  if (result.violations.length > 0) throw new Error(failureReport(result));
}

export function replayCommand(r: Pick<RunResult, 'seed' | 'backend' | 'mix'>): string {
  return `npm run test:faults -- --seed ${r.seed}${r.backend === 'pg' ? ' --pg' : ''}${r.mix === 'roster' ? '' : ` --mix ${r.mix}`}`;
}

/** Seed, the one-line replay command, the violations and the tail of the trace. */
export function failureReport(r: RunResult, traceLines = 80): string {
  const trace = r.trace.length > traceLines ? ['  ...', ...r.trace.slice(-traceLines)] : r.trace;
  return [
    `FAULT RUN FAILED: seed ${r.seed} (${r.backend})`,
    `replay: ${replayCommand(r)}`,
    ...r.violations.slice(0, 15).map((v) => `  x ${v}`),
    r.violations.length > 15 ? `  ... ${r.violations.length - 15} more` : '',
    'trace:',
    ...trace.map((l) => `  ${l}`),
  ]
    .filter((l) => l !== '')
    .join('\n');
}
