// The process boundaries are enforced by lint: these imports must be reported.
import { ESLint } from 'eslint';
import { describe, expect, it } from 'vitest';

const eslint = new ESLint({ cwd: process.cwd() });

async function problems(filePath: string, code: string): Promise<string[]> {
  const [result] = await eslint.lintText(code, { filePath });
  return result.messages.map((m) => m.message);
}

describe('boundary lint', () => {
  it('forbids electron in core, trainer and shared', async () => {
    for (const file of ['src/core/x.ts', 'src/trainer/x.ts', 'src/shared/x.ts', 'src/cli/x.ts', 'src/server/x.ts']) {
      expect(await problems(file, "import { app } from 'electron';\nexport const a = app;\n")).toEqual([
        expect.stringMatching(/Only src\/main and src\/preload may import electron/),
      ]);
    }
  });

  it('forbids Node modules and the core in the renderer', async () => {
    expect(await problems('src/renderer/x.ts', "import { readFileSync } from 'node:fs';\nexport const a = readFileSync;\n")).toHaveLength(1);
    expect(await problems('src/renderer/x.ts', "import fs from 'fs';\nexport const a = fs;\n")).toHaveLength(1);
    expect(await problems('src/renderer/x.ts', "import { Workbench } from '../core/workbench.js';\nexport const a = Workbench;\n")).toHaveLength(1);
  });

  it('holds Svelte components to the renderer\'s boundaries', async () => {
    const component = (imports: string) => `<script lang="ts">\n  ${imports}\n  interface Props { n: number }\n  let { n }: Props = $props();\n</script>\n\n<p>{n} {a}</p>\n`;
    const file = 'src/renderer/views/X.svelte';
    expect(await problems(file, component("import { readFileSync } from 'node:fs';\n  const a = readFileSync;"))).toEqual([expect.stringMatching(/no Node modules/)]);
    expect(await problems(file, component("import { ipcRenderer } from 'electron';\n  const a = ipcRenderer;"))).toEqual([expect.stringMatching(/Only src\/main and src\/preload may import electron/)]);
    for (const folder of ['core/workbench.js', 'trainer/engine/index.js', 'server/serve.js', 'cli/main.js']) {
      expect(await problems(file, component(`import { a } from '../../${folder}';`)), folder).toEqual([expect.stringMatching(/only through the api transport/)]);
    }
    // The same component importing the renderer's own modules and the shared types is clean: the parser reads it.
    expect(await problems(file, component("import { message } from '../lib/format.js';\n  import type { RunInfo } from '../../shared/runs.js';\n  const a: RunInfo | null = null;\n  void message;"))).toEqual([]);
    // Markup is linted too (the Svelte plugin's rules), not just the script.
    expect(await problems(file, '<script lang="ts">\n  const html = "<b>x</b>";\n</script>\n\n{@html html}\n')).toEqual([expect.stringMatching(/XSS/)]);
  });

  it('keeps the trainer and the core apart (they share only the protocol)', async () => {
    expect(await problems('src/trainer/x.ts', "import { a } from '../core/y.js';\nexport const b = a;\n")).toHaveLength(1);
    expect(await problems('src/core/x.ts', "import { a } from '../trainer/y.js';\nexport const b = a;\n")).toHaveLength(1);
    expect(await problems('src/trainer/x.ts', "import { a } from '../shared/y.js';\nexport const b = a;\n")).toEqual([]);
  });

  it('keeps src/shared free of other folders', async () => {
    expect(await problems('src/shared/x.ts', "import { a } from '../core/y.js';\nexport const b = a;\n")).toHaveLength(1);
    expect(await problems('src/shared/x.ts', "import { a } from './y.js';\nexport const b = a;\n")).toEqual([]);
  });

  it('allows electron in main and preload', async () => {
    expect(await problems('src/main/x.ts', "import { app } from 'electron';\nexport const a = app;\n")).toEqual([]);
  });
});
