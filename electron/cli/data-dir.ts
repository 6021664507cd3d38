import { homedir } from 'node:os';
import { join } from 'node:path';
import { parseArgs, type ParseArgsConfig } from 'node:util';

// Where GridDesk keeps its data when no --data-dir is given: the same folder Electron's
// app.getPath('userData') uses for an app named GridDesk, so the commands, the browser
// host and the desktop app all open the same file.

export const APP_NAME = 'GridDesk';

export function defaultDataDir(env: NodeJS.ProcessEnv = process.env, platform: NodeJS.Platform = process.platform): string {
  if (platform === 'win32') return join(env.APPDATA ?? join(homedir(), 'AppData', 'Roaming'), APP_NAME);
  if (platform === 'darwin') return join(homedir(), 'Library', 'Application Support', APP_NAME);
  return join(env.XDG_CONFIG_HOME || join(homedir(), '.config'), APP_NAME);
}

export type Flags = Record<string, string | true>;

/**
 * `--name value`, `--name=value` and bare `--switch` (true). Positional words are refused:
 * a mistyped flag should stop the command, not be ignored.
 */
export function parseFlags(argv: readonly string[]): Flags {
  const flags: Flags = {};
  for (let i = 0; i < argv.length; i++) {
    const arg = argv[i]!;
    if (!arg.startsWith('--')) throw new Error(`unexpected argument: ${arg}`);
    const eq = arg.indexOf('=');
    if (eq > 0) {
      flags[arg.slice(2, eq)] = arg.slice(eq + 1);
      continue;
    }
    const next = argv[i + 1];
    if (next !== undefined && !next.startsWith('--')) {
      flags[arg.slice(2)] = next;
      i++;
    } else {
      flags[arg.slice(2)] = true;
    }
  }
  return flags;
}

/**
 * node:util parseArgs over this process's arguments, with the command's usage line: `--help`
 * prints it (exit 0); an unknown or malformed flag prints the reason and the usage (exit 2),
 * not a stack trace.
 */
export function parseCommandLine<T extends ParseArgsConfig>(config: T, usage: string): ReturnType<typeof parseArgs<T>> {
  const args = process.argv.slice(2);
  if (args.includes('--help') || args.includes('-h')) {
    console.log(usage);
    process.exit(0);
  }
  try {
    // without `args`, parseArgs reads this process's own
    return parseArgs(config);
  } catch (error) {
    console.error(`GridDesk: ${error instanceof Error ? error.message : String(error)}\n${usage}`);
    process.exit(2);
  }
}
