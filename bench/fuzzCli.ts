// Hostile input for the command line: generated arguments, scenario files and damaged trace
// files (fast-check arbitraries), each run through the CLI's main() in this process (fast) or
// through bin/raftcheck.js in a child process (as users run it), and judged by what a user must
// never see: a stack trace, exit code 5 (a bug in raftcheck), an exit code raftcheck does not
// document, a stray file (a temporary file, an empty folder, or anything at all after a usage
// error) in the folder it ran in, or a signal listener left behind by main().
//
// Every case runs in a fresh folder of its own, its inputs written there first. The arguments
// keep each case cheap: a campaign gets one seed, a shrink a fraction of a second, an explore a
// few thousand states, unless the case is about that very option (then its value comes from a
// palette of small or invalid values). Used by `npm run fuzz` (bench/fuzz.ts, 10,000 cases) and
// test/cli/fuzz.test.ts (a few hundred, in npm test).

import { spawnSync } from 'node:child_process';
import { copyFileSync, mkdirSync, mkdtempSync, readdirSync, readFileSync, rmSync, statSync, writeFileSync } from 'node:fs';
import { dirname, join } from 'node:path';
import { Writable } from 'node:stream';
import { format } from 'node:util';
import fc from 'fast-check';
import { main } from '../src/cli/main.js';
import { packageRoot } from '../src/core/paths.js';
import { exitCodes } from '../src/report/exitCodes.js';

export interface FuzzCase {
  kind: 'arguments' | 'scenario' | 'trace';
  argv: string[];
  /** Input files to write into the case's folder first: path relative to it, and contents. */
  files: { path: string; contents: string }[];
}

export interface CaseOutcome {
  exitCode: number | string;
  output: string;
  /** What is wrong, one line each; empty when the case passed. */
  problems: string[];
}

/** Inputs shared by every case, made once: real traces, a scenario file, hostile programs and modules. */
export interface Fixtures {
  directory: string;
  /** Trace files written by raftcheck itself: a failing run, its shrunk trace, a liveness failure. */
  traces: { path: string; text: string }[];
  scenario: string;
  /** A program that answers its hello with escape sequences and garbage, and a module that throws. */
  garbageProgram: string;
  throwingModule: string;
}

const documentedExitCodes = new Set<number>([...Object.values(exitCodes).filter((code) => code !== exitCodes.harnessError), 130, 143]);

/** Strings that have broken command lines before: escapes, control characters, numbers that are not. */
const hostileStrings = [
  '', ' ', '-', '--', '\u001b]0;owned\u0007', '\u001b[2J\u001b[H', '\u0000', '\ufeff', 'é', '💥', 'a'.repeat(3000), 'NaN', 'Infinity', '-1', '0',
  '1e309', '9007199254740993', '0x10', 'true', 'null', '{}', '[]', '%s%n', '../', '.', 'reports', 'with space', "quote'd", '"',
];
/** Values of options that bound a case's cost: small when valid. */
const cheapNumbers = ['1', '2', '0', '-1', '-5', 'abc', '', '1.5', 'NaN', '1e309', '9007199254740993', ' 2', '0x2', '\u001b[2J'];
const anyNumbers = [...cheapNumbers, '3', '7', '15', '16', '100', '9007199254740991', '4294967296', '-0', '1e3'];

type ValueKind = 'flag' | 'cheap' | 'number' | 'string' | 'scenario' | 'bug' | 'impl' | 'strategy' | 'out' | 'width' | 'reads' | 'routing';

const runOptions: Record<string, ValueKind> = {
  seeds: 'cheap', seed: 'number', 'first-seed': 'number', nodes: 'number', scenario: 'scenario', strategy: 'strategy', 'check-determinism': 'flag',
  'failures-max': 'number', json: 'flag', out: 'out', shrink: 'flag', 'no-shrink': 'flag', 'shrink-time': 'cheap', bug: 'bug', impl: 'impl',
  'impl-timeout-ms': 'number', 'impl-output-bytes-max': 'number', clients: 'cheap', reads: 'reads', routing: 'routing', jobs: 'cheap', color: 'flag', 'no-color': 'flag',
};
const exploreOptions: Record<string, ValueKind> = {
  nodes: 'cheap', strategy: 'strategy', depth: 'cheap', 'max-term': 'number', 'max-crashes': 'number', 'max-requests': 'number', 'max-drops': 'number',
  'max-reorders': 'number', 'max-in-flight': 'number', 'max-states': 'cheap', 'max-memory': 'number', time: 'cheap', symmetry: 'flag', 'no-symmetry': 'flag',
  clone: 'flag', 'no-clone': 'flag', reduction: 'flag', 'no-reduction': 'flag', seed: 'number', walks: 'cheap', 'pct-depth': 'cheap', bug: 'bug', impl: 'impl',
  json: 'flag', out: 'out',
};
const commandOptions: Record<string, Record<string, ValueKind>> = {
  run: runOptions,
  explore: exploreOptions,
  replay: { json: 'flag', impl: 'impl', 'impl-timeout-ms': 'number', color: 'flag' },
  shrink: { 'shrink-time': 'cheap', out: 'out', json: 'flag', 'impl-timeout-ms': 'number' },
  show: { all: 'flag', ticks: 'flag', width: 'width', color: 'flag', 'no-color': 'flag' },
  scenarios: { json: 'flag' },
  bugs: { json: 'flag' },
};
/** What keeps each command cheap, added unless the case sets that option itself. */
const budgets: Record<string, [string[], string[]][]> = {
  run: [[['seeds', 'seed'], ['--seeds', '1']], [['shrink', 'no-shrink', 'shrink-time'], ['--shrink-time', '0.3']], [['jobs'], ['--jobs', '1']], [['out'], ['--out', 'out']]],
  explore: [[['max-states'], ['--max-states', '3000']], [['time'], ['--time', '2']], [['walks'], ['--walks', '30']], [['out'], ['--out', 'out']]],
  shrink: [[['shrink-time'], ['--shrink-time', '0.3']]],
};

function valueArbitrary(kind: ValueKind, fixtures: Fixtures): fc.Arbitrary<string | null> {
  const pick = (values: readonly string[]) => fc.constantFrom(...values);
  switch (kind) {
    case 'flag':
      return fc.oneof({ arbitrary: fc.constant(null), weight: 4 }, pick(['true', 'false', '0', 'maybe']));
    case 'cheap':
      return pick(cheapNumbers);
    case 'number':
      return pick(anyNumbers);
    case 'string':
      return pick(hostileStrings);
    case 'scenario':
      return pick(['default', 'swarm', 'clients', 'nope', fixtures.scenario, fixtures.directory, join(fixtures.directory, 'missing.json'), 'x.json', '', '\u001b]0;owned\u0007', 'scenarios/../package.json']);
    case 'bug':
      return pick(['figure8', 'vote-without-log-check', 'idle-leader-no-heartbeat', 'no-such-bug', '', '\u001b[2J']);
    case 'impl':
      return pick(['reference', 'process:/bin/false', 'process:/bin/true', 'process:', 'process:"', 'process:/no/such/program', `process:${process.execPath} ${fixtures.garbageProgram}`, fixtures.throwingModule, './missing.js', 'nonsense', '', '\u001b]0;owned\u0007']);
    case 'strategy':
      return pick(['portfolio', 'random', 'pct', 'bfs', 'dfs', 'nope', '']);
    case 'out':
      return pick(['out', 'out/deeper', '', '.', 'trace.json', fixtures.directory, 'out/', '\u001b[2J']);
    case 'width':
      return pick(['0', '-5', 'abc', '', '1', '20', '80', '300', '1e309', 'NaN']);
    case 'reads':
      return pick(['log', 'readIndex', 'raw', '']);
    case 'routing':
      return pick(['leader', 'any', 'nobody', '']);
  }
}

/**
 * The cheap budget of a command, for the options a case left out, right after the command's
 * name: a `--` later in the case would make options after it positional arguments.
 */
function withBudget(command: string, argv: string[], given: ReadonlySet<string>): string[] {
  const added = (budgets[command] ?? []).filter(([names]) => names.every((name) => !given.has(name))).flatMap(([, extra]) => extra);
  return argv.length === 0 ? added : [argv[0], ...added, ...argv.slice(1)];
}

function argumentsCase(fixtures: Fixtures): fc.Arbitrary<FuzzCase> {
  const commands = [...Object.keys(commandOptions), 'merge', '', '--help', '--version', 'run run', 'RUN'];
  const traceArgument = fc.constantFrom(...fixtures.traces.map((trace) => trace.path), fixtures.directory, 'missing.trace.json', '', '-', '\u001b]0;owned\u0007');
  return fc.constantFrom(...commands).chain((command) => {
    const table = commandOptions[command] ?? runOptions;
    const option = fc.constantFrom(...Object.keys(table), 'no-such-option').chain((name) => valueArbitrary(table[name] ?? 'string', fixtures).map((value) => ({ name, value })));
    return fc.record({
      options: fc.array(option, { maxLength: 4 }),
      positional: fc.option(traceArgument, { freq: 2 }),
      stray: fc.option(fc.constantFrom(...hostileStrings), { freq: 6 }),
    }).map(({ options, positional, stray }) => {
      const argv = command === '' ? [] : command.split(' ');
      if (positional !== null && ['replay', 'shrink', 'show'].includes(command)) argv.push(positional);
      for (const { name, value } of options) argv.push(`--${name}`, ...(value === null ? [] : [value]));
      if (stray !== null) argv.push(stray);
      return { kind: 'arguments' as const, argv: withBudget(command, argv, new Set(options.map((entry) => entry.name))), files: [] };
    });
  });
}

/** A JSON value to put where a field was: each type, out of range, hostile text. */
const jsonValue: fc.Arbitrary<unknown> = fc.oneof(
  fc.constantFrom(null, true, false, 0, -1, 1, 2, 3, 0.5, 1.5, 1e308, -1e308, 9007199254740993, '', 'x', '\u001b]0;owned\u0007', '\u001b[2J', [], {}, [1, 2], { unknown: 1 }, 'leader', 'any'),
  fc.integer({ min: -10, max: 5000 }),
  fc.jsonValue({ maxDepth: 2 }),
);

/** Every path into a JSON value, to the given depth (arrays: their first few items only). */
function pathsOf(value: unknown, depth: number, prefix: (string | number)[] = []): (string | number)[][] {
  if (depth === 0 || value === null || typeof value !== 'object') return [];
  const keys: (string | number)[] = Array.isArray(value) ? value.slice(0, 3).map((_, index) => index) : Object.keys(value);
  return keys.flatMap((key) => [[...prefix, key], ...pathsOf((value as Record<string | number, unknown>)[key], depth - 1, [...prefix, key])]);
}

interface JsonEdit {
  at: number;
  action: 'set' | 'delete' | 'add';
  value: unknown;
}

const jsonEdit: fc.Arbitrary<JsonEdit> = fc.record({ at: fc.nat(), action: fc.constantFrom('set', 'delete', 'add'), value: jsonValue });

function applyEdit(root: unknown, edit: JsonEdit, depth: number): unknown {
  const paths = pathsOf(root, depth);
  if (paths.length === 0) return edit.value;
  const path = paths[edit.at % paths.length];
  let parent = root as Record<string | number, unknown>;
  for (const key of path.slice(0, -1)) parent = parent[key] as Record<string | number, unknown>;
  const key = path[path.length - 1];
  if (edit.action === 'set') parent[key] = edit.value;
  else if (edit.action === 'delete' && !Array.isArray(parent)) delete parent[key];
  else if (edit.action === 'delete') (parent as unknown as unknown[]).splice(key as number, 1);
  else if (!Array.isArray(parent)) parent[`unknown${edit.at % 7}\u001b[2J`] = edit.value;
  return root;
}

interface ByteDamage {
  action: 'truncate' | 'insert' | 'replace' | 'bom';
  at: number;
  text: string;
}

const byteDamage: fc.Arbitrary<ByteDamage> = fc.record({
  action: fc.constantFrom('truncate', 'insert', 'replace', 'bom'),
  at: fc.double({ min: 0, max: 1, noNaN: true }),
  text: fc.oneof(fc.constantFrom(...hostileStrings), fc.string({ maxLength: 20 })),
});

function damageText(text: string, damage: ByteDamage): string {
  const at = Math.floor(damage.at * text.length);
  switch (damage.action) {
    case 'truncate':
      return text.slice(0, at);
    case 'insert':
      return text.slice(0, at) + damage.text + text.slice(at);
    case 'replace':
      return damage.text;
    case 'bom':
      return `\ufeff${text}`;
  }
}

/** Damage: edits of the parsed JSON (the common case, so the file still parses), or of the bytes. */
const damage = fc.record({ edits: fc.array(jsonEdit, { minLength: 1, maxLength: 3 }), bytes: fc.option(byteDamage, { freq: 3 }) });

function damaged(text: string, edits: readonly JsonEdit[], bytes: ByteDamage | null, depth: number): string {
  let value: unknown = JSON.parse(text);
  for (const edit of edits) value = applyEdit(value, edit, depth);
  const json = JSON.stringify(value, null, 1) ?? '';
  return bytes === null ? json : damageText(json, bytes);
}

/** Keeps a generated scenario cheap: a short fault phase, few nodes, a bound on events. */
function cheapScenario(text: string): string {
  let value: unknown;
  try {
    value = JSON.parse(text);
  } catch {
    return text;
  }
  if (value === null || typeof value !== 'object' || Array.isArray(value)) return text;
  const scenario = value as Record<string, unknown>;
  if (typeof scenario.durationMs === 'number' && scenario.durationMs > 3000) scenario.durationMs = 3000;
  if (typeof scenario.nodes === 'number' && scenario.nodes > 7) scenario.nodes = 7;
  if (typeof scenario.eventsMax !== 'number' || scenario.eventsMax > 50_000) scenario.eventsMax = 50_000;
  return JSON.stringify(scenario);
}

function scenarioCase(): fc.Arbitrary<FuzzCase> {
  const shipped = ['default', 'swarm', 'clients', 'majority-minority-partition', 'minimal/figure8', 'minimal/idle-leader-no-heartbeat'];
  const texts = shipped.map((name) => readFileSync(join(packageRoot(), 'scenarios', `${name}.json`), 'utf8'));
  const nested = `${'['.repeat(5000)}${']'.repeat(5000)}`;
  const source = fc.oneof(
    { weight: 8, arbitrary: fc.record({ base: fc.nat(texts.length - 1), damage }).map(({ base, damage: { edits, bytes } }) => damaged(texts[base], edits, bytes, 3)) },
    { weight: 1, arbitrary: fc.constantFrom('', '{}', '[]', 'null', '\ufeff{}', '{"nodes":', nested, '{"nodes": 1e999}', '{"__proto__": {"nodes": 9}}') },
  );
  return fc.record({ text: source, json: fc.boolean(), seed: fc.constantFrom('1', '2', '1869') }).map(({ text, json, seed }) => ({
    kind: 'scenario' as const,
    argv: ['run', '--scenario', 'scenario.json', '--seed', seed, '--no-shrink', '--out', 'out', ...(json ? ['--json'] : [])],
    files: [{ path: 'scenario.json', contents: cheapScenario(text) }],
  }));
}

function traceCase(fixtures: Fixtures): fc.Arbitrary<FuzzCase> {
  const commands = [['replay'], ['replay', '--json'], ['show'], ['show', '--all', '--width', '80'], ['shrink', '--shrink-time', '0.3', '--out', 'out/shrunk.json'], ['shrink', '--shrink-time', '0.3']];
  return fc.record({ trace: fc.nat(fixtures.traces.length - 1), damage, command: fc.nat(commands.length - 1) }).map(({ trace, damage: { edits, bytes }, command }) => {
    const [name, ...options] = commands[command];
    return {
      kind: 'trace' as const,
      argv: [name, 'damaged.trace.json', ...options],
      files: [{ path: 'damaged.trace.json', contents: damaged(fixtures.traces[trace].text, edits, bytes, 4) }],
    };
  });
}

export function cliCases(fixtures: Fixtures): fc.Arbitrary<FuzzCase> {
  return fc.oneof({ weight: 4, arbitrary: argumentsCase(fixtures) }, { weight: 3, arbitrary: scenarioCase() }, { weight: 3, arbitrary: traceCase(fixtures) });
}

/** A stream that keeps what is written to it, as a command's stdout or stderr. */
function captureStream(sink: { text: string }): NodeJS.WriteStream {
  return new Writable({
    write(chunk: Buffer | string, _encoding, done) {
      sink.text += chunk.toString();
      done();
    },
  }) as unknown as NodeJS.WriteStream;
}

class ExitCalled extends Error {
  constructor(readonly code: number) {
    super(`process.exit(${code})`);
  }
}

/** Runs main() here, in `folder`, capturing its streams and the console (yargs prints help there). */
export async function runInProcess(argv: readonly string[], folder: string): Promise<{ exitCode: number | string; output: string }> {
  const sink = { text: '' };
  const consoleSaved = { log: console.log, error: console.error, warn: console.warn, info: console.info };
  const exitSaved = process.exit;
  const folderSaved = process.cwd();
  const toSink = (...values: unknown[]) => void (sink.text += `${format(...values)}\n`);
  Object.assign(console, { log: toSink, error: toSink, warn: toSink, info: toSink });
  process.exit = ((code?: number) => {
    throw new ExitCalled(code ?? 0);
  }) as typeof process.exit;
  process.chdir(folder);
  let exitCode: number | string;
  try {
    exitCode = await main(argv, { stdout: captureStream(sink), stderr: captureStream(sink) });
  } catch (error) {
    exitCode = error instanceof ExitCalled ? error.code : 'threw';
    if (!(error instanceof ExitCalled)) sink.text += `main() threw: ${error instanceof Error ? error.stack : String(error)}\n`;
  } finally {
    Object.assign(console, consoleSaved);
    process.exit = exitSaved;
    process.chdir(folderSaved);
  }
  return { exitCode, output: sink.text };
}

export function runInChild(argv: readonly string[], folder: string): { exitCode: number | string; output: string } {
  // A command line cannot hold a NUL byte (C strings): no user can pass one, so none is passed.
  const words = argv.map((word) => word.replaceAll('\u0000', ''));
  const result = spawnSync(process.execPath, [join(packageRoot(), 'bin', 'raftcheck.js'), ...words], { cwd: folder, encoding: 'utf8', timeout: 120_000 });
  const exitCode = result.status ?? `signal ${result.signal}`;
  return { exitCode, output: `${result.stdout}${result.stderr}` };
}

/** Every file and folder under `folder`, relative to it, folders ending in /. */
function listing(folder: string): string[] {
  return readdirSync(folder, { recursive: true, encoding: 'utf8' }).map((path) => (statSync(join(folder, path)).isDirectory() ? `${path}/` : path)).sort();
}

export function judge(exitCode: number | string, output: string, before: readonly string[], after: readonly string[], folder: string): string[] {
  const problems: string[] = [];
  if (exitCode === exitCodes.harnessError) problems.push('exit code 5 (harness error)');
  else if (typeof exitCode !== 'number' || !documentedExitCodes.has(exitCode)) problems.push(`exit code ${exitCode}, not a documented one`);
  const stack = /^\s+at .*:\d+:\d+\)?$/m.exec(output);
  if (stack !== null) problems.push(`a stack trace in the output (${stack[0].trim()})`);
  const added = after.filter((path) => !before.includes(path));
  for (const path of added) {
    if (/\.tmp$/.test(path)) problems.push(`stray temporary file ${path}`);
    else if (path.endsWith('/') && readdirSync(join(folder, path)).length === 0) problems.push(`empty folder ${path}`);
  }
  if (exitCode === exitCodes.usage && added.length > 0) problems.push(`a usage error left ${added.slice(0, 3).join(', ')}`);
  return problems;
}

/** Runs one case in a fresh folder under `parent` and removes the folder afterwards. */
export async function runCase(parent: string, fuzzCase: FuzzCase, inChild: boolean): Promise<CaseOutcome> {
  const folder = mkdtempSync(join(parent, 'case-'));
  try {
    for (const file of fuzzCase.files) {
      mkdirSync(dirname(join(folder, file.path)), { recursive: true });
      writeFileSync(join(folder, file.path), file.contents);
    }
    // Beside the case's folder: what ran last, if a case never returns (a hang is a finding too).
    writeFileSync(join(parent, 'current-case.txt'), `${describeCase(fuzzCase)}\n`);
    const before = listing(folder);
    const listeners = ['SIGINT', 'SIGTERM', 'exit'].map((event) => process.listenerCount(event));
    const { exitCode, output } = inChild ? runInChild(fuzzCase.argv, folder) : await runInProcess(fuzzCase.argv, folder);
    const problems = judge(exitCode, output, before, listing(folder), folder);
    ['SIGINT', 'SIGTERM', 'exit'].forEach((event, index) => {
      if (process.listenerCount(event) > listeners[index]) problems.push(`main() left a '${event}' listener behind`);
    });
    return { exitCode, output, problems };
  } finally {
    rmSync(folder, { recursive: true, force: true });
  }
}

/** Makes the shared inputs in `directory`, with raftcheck's own commands (a few seconds). */
export async function makeFixtures(directory: string): Promise<Fixtures> {
  const reports = join(directory, 'reports');
  const failing = await runInProcess(['run', '--scenario', 'default', '--bug', 'vote-without-log-check', '--seeds', '5', '--failures-max', '1', '--shrink-time', '3', '--out', reports, '--json'], directory);
  const liveness = await runInProcess(
    ['run', '--scenario', join(packageRoot(), 'scenarios/minimal/idle-leader-no-heartbeat.json'), '--bug', 'idle-leader-no-heartbeat', '--seed', '1869', '--no-shrink', '--out', reports, '--json'],
    directory,
  );
  const traces = readdirSync(reports, { recursive: true, encoding: 'utf8' }).filter((path) => path.endsWith('.trace.json')).sort();
  if (failing.exitCode !== 1 || liveness.exitCode !== 3 || traces.length < 3) {
    throw new Error(`fuzz fixtures: expected a safety failure, its shrunk trace and a liveness failure, got exit codes ${failing.exitCode} and ${liveness.exitCode} and ${traces.join(', ')}`);
  }
  const scenario = join(directory, 'scenario.json');
  copyFileSync(join(packageRoot(), 'scenarios', 'default.json'), scenario);
  const garbageProgram = join(directory, 'garbage.mjs');
  writeFileSync(garbageProgram, "process.stdout.write('\\u001b]0;owned\\u0007 not json\\n'); process.stderr.write('\\u001b[2J stderr\\n'); setTimeout(() => process.exit(3), 50);\n");
  const throwingModule = join(directory, 'throwing.mjs');
  writeFileSync(throwingModule, "throw new Error('\\u001b]0;owned\\u0007 a module that throws on import');\n");
  return {
    directory,
    traces: traces.map((path) => ({ path: join(reports, path), text: readFileSync(join(reports, path), 'utf8') })),
    scenario,
    garbageProgram,
    throwingModule,
  };
}

/** A fresh working folder for a fuzz session. */
export function fuzzFolder(prefix: string): string {
  return mkdtempSync(join(process.env.TMPDIR ?? '/tmp', prefix));
}

/** The case as a command line a person can paste (for reports). */
export function describeCase(fuzzCase: FuzzCase): string {
  const argv = fuzzCase.argv.map((word) => JSON.stringify(word)).join(' ');
  const files = fuzzCase.files.map((file) => `${file.path} (${file.contents.length} chars: ${JSON.stringify(file.contents.slice(0, 160))}${file.contents.length > 160 ? '…' : ''})`);
  return `raftcheck ${argv}${files.length > 0 ? `  with ${files.join(', ')}` : ''}`;
}
