// Implementations as JavaScript or TypeScript modules: `raftcheck run --impl ./path/module.js`.
//
// The module exports its Implementation as the default export or as `implementation`; either may
// instead be a function (sync or async, no arguments) that returns one, for modules that must set
// something up first. .js and .mjs are imported as they are. Node 20 cannot import .ts, so a .ts
// module is transpiled with the `typescript` package (resolved from the module's own project
// first, then from raftcheck's) into a temporary .mjs beside it (so that its relative imports
// still resolve), imported, and the temporary file removed. Only that one file is transpiled:
// its own imports must be JavaScript.
//
// Every problem (missing file, an import that throws, a wrong shape) is a ModuleLoadError naming
// the path and what is wrong; the CLI reports it as a usage error.

import { existsSync, rmSync, statSync, readFileSync, writeFileSync } from 'node:fs';
import { createRequire } from 'node:module';
import { tmpdir } from 'node:os';
import { basename, dirname, extname, join, resolve } from 'node:path';
import { pathToFileURL } from 'node:url';
import type { Implementation } from '../contract/contract.js';

export class ModuleLoadError extends Error {
  override name = 'ModuleLoadError';
}

const importable = new Set(['.js', '.mjs', '.cjs', '.ts', '.mts']);

/** Loads the Implementation a module exports; the path is taken relative to the working directory. */
export async function moduleImplementation(path: string): Promise<Implementation> {
  const absolute = resolve(path);
  if (!existsSync(absolute) || !statSync(absolute).isFile()) throw new ModuleLoadError(`implementation module ${path} does not exist (looked for ${absolute})`);
  const extension = extname(absolute);
  if (!importable.has(extension)) throw new ModuleLoadError(`implementation module ${path}: expected a .js, .mjs, .cjs or .ts file, got "${extension || 'no extension'}"`);
  const exports = extension === '.ts' || extension === '.mts' ? await importTypeScript(absolute, path) : await importModule(absolute, path);
  const exported = exports.default ?? exports.implementation;
  if (exported === undefined) {
    const names = Object.keys(exports);
    throw new ModuleLoadError(
      `implementation module ${path} exports neither a default export nor "implementation" (it exports ${names.length === 0 ? 'nothing' : names.join(', ')}); ` +
        'export an Implementation {name, version, createNode} or a function returning one',
    );
  }
  let implementation: unknown = exported;
  if (typeof exported === 'function') {
    try {
      implementation = await (exported as () => unknown)();
    } catch (error) {
      throw new ModuleLoadError(`implementation module ${path}: its exported function threw ${describeError(error)}`);
    }
  }
  const problem = shapeProblem(implementation);
  if (problem !== null) throw new ModuleLoadError(`implementation module ${path} does not export an Implementation: ${problem}`);
  return implementation as Implementation;
}

async function importModule(absolute: string, path: string): Promise<Record<string, unknown>> {
  try {
    return (await import(pathToFileURL(absolute).href)) as Record<string, unknown>;
  } catch (error) {
    throw new ModuleLoadError(`implementation module ${path} failed to load: ${describeError(error)}`);
  }
}

interface TypeScriptCompiler {
  transpileModule(source: string, options: { compilerOptions: Record<string, unknown>; fileName: string }): { outputText: string };
  ModuleKind: { ESNext: number };
  ScriptTarget: { ES2022: number };
}

function findTypeScript(absolute: string): TypeScriptCompiler | null {
  for (const from of [absolute, import.meta.url]) {
    try {
      return createRequire(from)('typescript') as TypeScriptCompiler;
    } catch {
      // not resolvable from there
    }
  }
  return null;
}

async function importTypeScript(absolute: string, path: string): Promise<Record<string, unknown>> {
  const typescript = findTypeScript(absolute);
  if (typescript === null) {
    throw new ModuleLoadError(
      `implementation module ${path} is TypeScript, which Node cannot import, and the typescript package cannot be found from it: ` +
        'compile it to JavaScript and pass the .js file, or install typescript (npm install --save-dev typescript)',
    );
  }
  const output = typescript.transpileModule(readFileSync(absolute, 'utf8'), {
    fileName: absolute,
    compilerOptions: { module: typescript.ModuleKind.ESNext, target: typescript.ScriptTarget.ES2022, sourceMap: false, inlineSourceMap: true },
  }).outputText;
  // Beside the source, so that its relative imports resolve; in the temporary folder if that
  // folder is read-only. The process id keeps parallel runs apart.
  const name = `.${basename(absolute, extname(absolute))}.raftcheck-${process.pid}.mjs`;
  let target = join(dirname(absolute), name);
  try {
    writeFileSync(target, output);
  } catch {
    target = join(tmpdir(), name);
    writeFileSync(target, output);
  }
  try {
    return await importModule(target, path);
  } finally {
    rmSync(target, { force: true });
  }
}

function shapeProblem(value: unknown): string | null {
  if (value === null || typeof value !== 'object') return `expected an object {name, version, createNode}, got ${value === null ? 'null' : typeof value}`;
  const candidate = value as Record<string, unknown>;
  if (typeof candidate.name !== 'string' || candidate.name.length === 0) return 'its name is not a non-empty string';
  if (typeof candidate.version !== 'string') return 'its version is not a string';
  if (typeof candidate.createNode !== 'function') return 'its createNode is not a function';
  if (candidate.exploration !== undefined) return explorationProblem(candidate.exploration);
  return null;
}

const explorationFunctions = ['digestNode', 'digestNodeIds', 'digestMessage', 'digestMessageIds', 'digestRecord', 'digestRecordIds', 'compact'] as const;

/** The optional exploration hook, checked here so that a broken one fails at load, not deep in a search. */
function explorationProblem(value: unknown): string | null {
  if (value === null || typeof value !== 'object') return `its exploration hook is not an object (got ${value === null ? 'null' : typeof value})`;
  const hook = value as Record<string, unknown>;
  if (typeof hook.symmetric !== 'boolean') return 'its exploration hook\'s symmetric is not true or false';
  if (typeof hook.symmetryNote !== 'string') return 'its exploration hook\'s symmetryNote is not a string';
  const missing = explorationFunctions.filter((name) => typeof hook[name] !== 'function');
  return missing.length === 0 ? null : `its exploration hook's ${missing.join(', ')} ${missing.length === 1 ? 'is not a function' : 'are not functions'}`;
}

function describeError(error: unknown): string {
  return error instanceof Error ? `${error.name}: ${error.message}` : String(error);
}
