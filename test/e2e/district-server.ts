import { spawn, spawnSync, type ChildProcess } from 'node:child_process';
import { mkdtempSync, rmSync } from 'node:fs';
import { connect, createServer, type AddressInfo, type Socket } from 'node:net';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { syncNow, type Station } from './fixtures';
import { ROOT, stopHost } from './host';

// A real district server on loopback (PGlite in a temp folder) for the sync screens.
// Admin commands open the database themselves, so they run before the server starts.

const CLI = join(ROOT, 'server/cli.ts');

export function serverAdmin(dataDir: string, ...args: string[]): string {
  const run = spawnSync(process.execPath, ['--import', 'tsx', CLI, 'admin', ...args, '--data-dir', dataDir], { cwd: ROOT, encoding: 'utf8' });
  if (run.status !== 0) throw new Error(`server admin ${args.join(' ')} failed:\n${run.stderr}`);
  return run.stdout;
}

/** Sets up a district with one street and returns a one-time enrollment code for it. */
export function arrangeDistrict(dataDir: string, street = { code: '610116001000', name: '韦曲街道' }): string {
  serverAdmin(dataDir, 'create-district', '--code', '610116000000', '--name', '长安区');
  serverAdmin(dataDir, 'create-street', '--code', street.code, '--name', street.name);
  return enrollmentCode(dataDir, street.code);
}

/** One more one-time enrollment code for a street that exists (a second station). */
export function enrollmentCode(dataDir: string, streetCode = '610116001000'): string {
  const out = serverAdmin(dataDir, 'enroll-code', '--street', streetCode);
  const code = /:\s*(\S+)\s*$/m.exec(out.split('\n')[0] ?? '')?.[1];
  if (!code) throw new Error(`no enrollment code in: ${out}`);
  return code;
}

/** `port`: the address a restarted server must keep for the stations that know it (0: any free port). */
export async function startDistrictServer(dataDir: string, port = 0): Promise<{ child: ChildProcess; url: string; stop: () => Promise<void> }> {
  const child = spawn(process.execPath, ['--import', 'tsx', CLI, '--port', String(port), '--data-dir', dataDir], { cwd: ROOT, stdio: ['ignore', 'pipe', 'pipe'] });
  const url = await new Promise<string>((resolve, reject) => {
    let output = '';
    const timer = setTimeout(() => reject(new Error(`server did not start in time:\n${output}`)), 30_000);
    const onData = (chunk: Buffer) => {
      output += chunk.toString();
      const match = /listening on (http:\/\/\S+)/.exec(output);
      if (match?.[1]) {
        clearTimeout(timer);
        resolve(match[1]);
      }
    };
    child.stdout?.on('data', onData);
    child.stderr?.on('data', (chunk: Buffer) => (output += chunk.toString()));
    child.once('exit', (code) => {
      clearTimeout(timer);
      reject(new Error(`server exited with ${code}:\n${output}`));
    });
  });
  return { child, url, stop: () => stopHost(child) };
}

/**
 * A TCP pass-through to the district server for ONE station, that the test can shut and open:
 * "this station is offline" without stopping the server. Shut, it resets every connection
 * (the station sees a network failure and backs off); the address never changes. One gate
 * per station makes the order in which stations reach the server the test's choice, which
 * stopping the server would leave to each station's backoff timer.
 */
export interface Gate {
  url: string;
  open(): void;
  shut(): void;
  close(): Promise<void>;
}

export async function startGate(serverUrl: string): Promise<Gate> {
  const target = new URL(serverUrl);
  const sockets = new Set<Socket>();
  let isOpen = true;
  const track = (socket: Socket) => {
    sockets.add(socket);
    socket.once('close', () => sockets.delete(socket));
  };
  const server = createServer((client) => {
    track(client);
    if (!isOpen) return void client.resetAndDestroy();
    const upstream = connect({ host: target.hostname, port: Number(target.port) });
    track(upstream);
    client.on('error', () => upstream.destroy());
    upstream.on('error', () => client.destroy());
    client.pipe(upstream).pipe(client);
  });
  await new Promise<void>((resolve) => server.listen(0, '127.0.0.1', resolve));
  const { port } = server.address() as AddressInfo;
  return {
    url: `http://127.0.0.1:${port}`,
    open: () => void (isOpen = true),
    shut: () => {
      isOpen = false;
      // the open event stream and any request in flight drop too
      for (const socket of sockets) socket.resetAndDestroy();
    },
    close: () =>
      new Promise<void>((resolve) => {
        for (const socket of sockets) socket.destroy();
        server.close(() => resolve());
      }),
  };
}

/** Two stations' way to one street of a district server of their own. */
export interface TwoStationStreet {
  /** A one-time enrollment code for each station. */
  codes: [string, string];
  /** Each station's own gate to the server. */
  gates: [Gate, Gate];
  /** The server itself, and codes for more devices (issued before it started: admin commands need it stopped). */
  serverUrl: string;
  spareCodes: string[];
}

/** A district server with one street in a temp folder, for one test: stopped and removed after `body`. */
export async function withTwoStationStreet(body: (street: TwoStationStreet) => Promise<void>, spare = 0): Promise<void> {
  const dataDir = mkdtempSync(join(tmpdir(), 'griddesk-e2e-server-'));
  const codes: [string, string] = [arrangeDistrict(dataDir), enrollmentCode(dataDir)];
  const spareCodes = Array.from({ length: spare }, () => enrollmentCode(dataDir));
  const server = await startDistrictServer(dataDir);
  const gates: Gate[] = [];
  try {
    gates.push(await startGate(server.url), await startGate(server.url));
    await body({ codes, gates: gates as [Gate, Gate], serverUrl: server.url, spareCodes });
  } finally {
    for (const gate of gates) await gate.close();
    await server.stop();
    rmSync(dataDir, { recursive: true, force: true });
  }
}

export interface Unit {
  id: string;
  code: string;
  name: string;
}

/** Both stations join the street through their own gates; A adds the community the test works in. */
export async function joinWithCommunity(street: TwoStationStreet, a: Station, b: Station, names: [string, string]): Promise<Unit> {
  await a.call('sync.enroll', { serverUrl: street.gates[0].url, code: street.codes[0], deviceName: names[0] });
  await b.call('sync.enroll', { serverUrl: street.gates[1].url, code: street.codes[1], deviceName: names[1] });
  const streetUnit = (await syncNow(a)).street!;
  return a.call<Unit>('org.create', { code: '610116001001', name: '南街社区', level: 'community', parentId: streetUnit.id, kind: 'urban_community' });
}
