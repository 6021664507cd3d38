import { spawn, spawnSync, type ChildProcess } from 'node:child_process';
import { join } from 'node:path';
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
  const out = serverAdmin(dataDir, 'enroll-code', '--street', street.code);
  const code = /:\s*(\S+)\s*$/m.exec(out.split('\n')[0] ?? '')?.[1];
  if (!code) throw new Error(`no enrollment code in: ${out}`);
  return code;
}

export async function startDistrictServer(dataDir: string): Promise<{ child: ChildProcess; url: string; stop: () => Promise<void> }> {
  const child = spawn(process.execPath, ['--import', 'tsx', CLI, '--port', '0', '--data-dir', dataDir], { cwd: ROOT, stdio: ['ignore', 'pipe', 'pipe'] });
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
