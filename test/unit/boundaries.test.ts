import { ESLint } from 'eslint';
import { describe, expect, it } from 'vitest';

// The lint rules are the boundaries; prove each one bites.
const eslint = new ESLint();

async function messages(code: string, filePath: string): Promise<string[]> {
  const [result] = await eslint.lintText(code, { filePath });
  return (result?.messages ?? []).filter((m) => m.ruleId?.startsWith('no-restricted')).map((m) => m.message);
}

describe('runtime boundaries', () => {
  it('core/ imports neither Node, Electron nor the DOM', async () => {
    expect(await messages("import { readFileSync } from 'node:fs';\nexport const x = readFileSync;", 'core/domain/x.ts')).not.toEqual([]);
    expect(await messages("import { app } from 'electron';\nexport const x = app;", 'core/domain/x.ts')).not.toEqual([]);
    expect(await messages('export const x = () => document.title;', 'core/domain/x.ts')).not.toEqual([]);
  });
  it('the renderer never imports electron/ or server/', async () => {
    expect(await messages("import { openDb } from '../../electron/store/db';\nexport const x = openDb;", 'renderer/features/x.ts')).not.toEqual([]);
    expect(await messages("import { x as y } from '../../server/x';\nexport const x = y;", 'renderer/features/x.ts')).not.toEqual([]);
  });
  it("only top-level electron/*.ts import 'electron'", async () => {
    expect(await messages("import { app } from 'electron';\nexport const x = app;", 'electron/services/x.ts')).not.toEqual([]);
    expect(await messages("import { app } from 'electron';\nexport const x = app;", 'electron/x.ts')).toHaveLength(0);
  });
});
