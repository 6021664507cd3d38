import { spawnSync } from 'node:child_process';
import { describe, expect, it } from 'vitest';

// Run the real logger in a child process and read what it would write to a log file.
function logLine(code: string): string {
  const script = `import { createLogger } from './electron/log.ts';\nconst log = createLogger('test');\n${code}`;
  const out = spawnSync(process.execPath, ['--import', 'tsx', '--input-type=module', '-e', script], {
    encoding: 'utf8',
    env: { ...process.env, VITEST: '', GRIDDESK_LOG_LEVEL: 'info' },
  });
  return out.stdout;
}

describe('logger', () => {
  it('never writes a phone or resident ID unmasked, wherever it appears', () => {
    const out = logLine(
      "log.info({ person: { phone: '13812345678', residentId: '610116199001010018' }, note: 'call 13912345678' }, 'saved 61011619851212002X');",
    );
    expect(out).toContain('"module":"test"');
    expect(out).not.toMatch(/13812345678|13912345678|610116199001010018|61011619851212002X/);
    expect(out).toContain('139****5678');
    expect(out).toContain('610116********002X');
  });
});
