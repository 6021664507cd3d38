import { spawn, type ChildProcess } from 'node:child_process';
import { join } from 'node:path';

// The district server as its own OS process, as `npm run server` runs it: the fault tests put
// two of them on one database (and SIGKILL one), the sync bench measures against one (station
// and server share no CPU time, as on real machines).

export const QUIET = { ...process.env, GRIDDESK_LOG_LEVEL: 'silent' };

export function exited(child: ChildProcess): Promise<number | null> {
  if (child.exitCode !== null || child.signalCode !== null) return Promise.resolve(child.exitCode);
  return new Promise((resolve) => child.once('exit', (code) => resolve(code)));
}

const ROOT = join(import.meta.dirname, '..', '..');
const TAIL_CHARS = 8_000;

export interface ServerProcess {
  readonly child: ChildProcess;
  /** `http://127.0.0.1:<port>` */
  readonly url: string;
  /** The last few KB of its stdout and stderr: logs at its GRIDDESK_LOG_LEVEL, a crash's stack. */
  tail(): string;
  /** SIGTERM (the server's own clean stop), SIGKILL if it is still there after 5 s. */
  stop(): Promise<void>;
}

/**
 * The district server as `npm run server` runs it (server/cli.ts) on PostgreSQL `databaseUrl`, as
 * a child process tied to this one (exit-with-parent.ts). Ready once it printed its address
 * and /health answers. `args` may name `--port`; otherwise the server picks a free one.
 */
export async function startServerProcess(databaseUrl: string, args: readonly string[] = [], env: NodeJS.ProcessEnv = QUIET): Promise<ServerProcess> {
  const port = args.includes('--port') ? [] : ['--port', '0'];
  const child = spawn(
    process.execPath,
    ['--import', 'tsx', '--import', join(ROOT, 'test/helpers/exit-with-parent.ts'), join(ROOT, 'server/cli.ts'), '--host', '127.0.0.1', ...port, ...args],
    { cwd: ROOT, env: { ...env, DATABASE_URL: databaseUrl }, stdio: ['ignore', 'pipe', 'pipe', 'ipc'] },
  );
  let output = '';
  const keep = (chunk: Buffer): void => {
    output = (output + chunk.toString('utf8')).slice(-TAIL_CHARS);
  };
  child.stdout?.on('data', keep);
  child.stderr?.on('data', keep);
  const tail = (): string => output.trimEnd();
  const stop = async (): Promise<void> => {
    const gone = exited(child);
    child.kill('SIGTERM');
    const timer = setTimeout(() => child.kill('SIGKILL'), 5_000);
    await gone;
    clearTimeout(timer);
  };
  try {
    const url = await new Promise<string>((resolve, reject) => {
      const timer = setTimeout(() => reject(new Error('no "listening on" line within 30 s')), 30_000);
      const onData = (): void => {
        const m = /listening on (http:\/\/\S+)/.exec(output);
        if (!m?.[1]) return;
        clearTimeout(timer);
        child.stdout?.off('data', onData);
        resolve(m[1]);
      };
      child.stdout?.on('data', onData);
      child.once('exit', (code, signal) => {
        clearTimeout(timer);
        reject(new Error(`exited (${signal ?? `code ${code}`}) before listening`));
      });
    });
    const health = await fetch(`${url}/health`, { signal: AbortSignal.timeout(10_000) });
    if (!health.ok) throw new Error(`/health answered ${health.status}`);
    return { child, url, tail, stop };
  } catch (error) {
    await stop();
    throw new Error(`server process did not start: ${error instanceof Error ? error.message : String(error)}\n${tail()}`, { cause: error });
  }
}
