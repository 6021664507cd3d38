import { createBackup, listBackups, restoreBackup } from '../services/backup';
import { closeAppContext, openAppContext } from '../services/context';
import { defaultDataDir, parseCommandLine } from './data-dir';

// `npm run backup -- <create|list|restore> [--data-dir DIR] [--file FILE]`
const USAGE = 'usage: npm run backup -- <create|list|restore> [--data-dir DIR] [--file FILE]';
const { positionals, values } = parseCommandLine({ allowPositionals: true, options: { 'data-dir': { type: 'string' }, file: { type: 'string' } } }, USAGE);
const [command] = positionals;
const dataDir = values['data-dir'] ?? defaultDataDir();

if (command !== 'create' && command !== 'list' && command !== 'restore') {
  console.error(USAGE);
  process.exit(2);
}
if (command === 'restore' && !values.file) {
  console.error('GridDesk: restore needs --file FILE (see `npm run backup -- list`)');
  process.exit(2);
}

const ctx = openAppContext({ dataDir, transport: 'http' });
try {
  if (command === 'list') {
    for (const b of listBackups(ctx)) console.log(`${b.createdAt}  ${String(b.bytes).padStart(10)}  ${b.path}`);
  } else if (command === 'create') {
    const b = await createBackup(ctx, values.file);
    console.log(`Backup written: ${b.path} (${b.bytes} bytes)`);
  } else {
    const { safetyCopy } = await restoreBackup(ctx, values.file!);
    console.log(`Restored from ${values.file}. The data it replaced is saved at ${safetyCopy.path}`);
  }
} catch (error) {
  console.error(`GridDesk: ${error instanceof Error ? error.message : String(error)}`);
  process.exitCode = 1;
} finally {
  closeAppContext(ctx);
}
