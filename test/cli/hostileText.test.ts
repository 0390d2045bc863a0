// Text raftcheck did not write reaches the terminal neutralised: an OSC title change and a
// clear-screen fed through every path (a program's hello, its non-JSON line and stderr, a module's
// name and errors, a trace file's strings in show, an --impl name, a scenario's unknown keys)
// come out escaped and visible, never raw.

import { mkdtempSync, readFileSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { dirname, join } from 'node:path';
import { describe, expect, it } from 'vitest';
import type { CommandResult } from '../support/cli.js';
import { raftcheck, root } from '../support/cli.js';
import { assertRaft } from '../../src/report/assertRaft.js';
import { runSeed, traceOf } from '../../src/check/run.js';
import { defaultScenario } from '../../src/sim/scenario.js';

const hostile = '\x1b]0;pwned\x07\x1b[2J';
const shown = '\\x1b]0;pwned\\x07\\x1b[2J';
const fakes = 'test/adapters/fakes';

/** No control character but the newline on either stream (no colour: they are not terminals). */
function expectNeutralised(result: CommandResult): void {
  for (const text of [result.stdout, result.stderr]) expect(text).not.toMatch(/[\u0000-\u0009\u000b-\u001f\u007f-\u009f]/);
  expect(`${result.stdout}${result.stderr}`).toContain(shown);
}

function temporaryFile(name: string, contents: string): string {
  const path = join(mkdtempSync(join(tmpdir(), 'raftcheck-hostile-')), name);
  writeFileSync(path, contents);
  return path;
}

describe('hostile text from a process implementation', () => {
  it('escapes its hello name and a line that is not JSON', () => {
    const result = raftcheck(['run', '--impl', `process:node ${fakes}/hostile.mjs line`, '--seed', '1', '--no-shrink']);
    expect(result.status).toBe(4);
    expect(result.stdout).toContain(`fake${shown} on scenario`);
    expect(result.stdout).toContain(`${shown} is not JSON`);
    expectNeutralised(result);
  });

  it('escapes the tail of its stderr', () => {
    const result = raftcheck(['run', '--impl', `process:node ${fakes}/hostile.mjs exit`, '--seed', '1', '--no-shrink']);
    expect(result.status).toBe(4);
    expect(result.stdout).toContain(`panic ${shown}`);
    expectNeutralised(result);
  });

  it('escapes its name and version where show prints them, without running the program', () => {
    const out = mkdtempSync(join(tmpdir(), 'raftcheck-hostile-'));
    const run = raftcheck(['run', '--impl', `process:node ${fakes}/hostile.mjs line`, '--seed', '1', '--no-shrink', '--json', '--out', out]);
    const trace = join(out, JSON.parse(run.stdout).failures[0].trace.split('/').slice(-2).join('/'));
    const show = raftcheck(['show', trace]);
    expect(show.status).toBe(0);
    expect(show.stdout).toContain(`fake${shown} 1${shown}`);
    expect(show.stdout).toMatch(/replayed +no: its implementation \(process\) runs code the file names/);
    expectNeutralised(show);
  });
});

describe('hostile text from a module implementation', () => {
  it('escapes its name and the message of an error its node throws', () => {
    const result = raftcheck(['run', '--impl', `${fakes}/modules/hostile.mjs`, '--seed', '1', '--no-shrink']);
    expect(result.status).toBe(4);
    expect(result.stdout).toContain(`module${shown} on scenario`);
    expect(result.stdout).toContain(`broken ${shown}`);
    expectNeutralised(result);
  });

  it('escapes its name and error in what explore prints', () => {
    const out = mkdtempSync(join(tmpdir(), 'raftcheck-hostile-'));
    const result = raftcheck(['explore', '--impl', `${fakes}/modules/hostile.mjs`, '--depth', '3', '--out', out]);
    expect(result.status).toBe(4);
    expect(result.stdout).toContain(`explore: module${shown}`);
    expect(result.stdout).toContain(`broken ${shown}`);
    expectNeutralised(result);
  });

  it('escapes its name and error in the error assertRaft throws to a test runner', async () => {
    const implementation = join(root, fakes, 'modules/hostile.mjs');
    const out = mkdtempSync(join(tmpdir(), 'raftcheck-hostile-'));
    const error = await assertRaft({ implementation, scenario: 'default', seeds: 1, out, shrinkTimeMs: 2_000 }).catch((thrown: Error) => thrown);
    expect((error as Error).name).toBe('RaftCheckFailure');
    const { message } = error as Error;
    expect(message).toContain(`broken ${shown}`);
    expect(message).toContain(`module${shown}`);
    expect(message).not.toMatch(/[\u0000-\u0009\u000b-\u001f\u007f-\u009f]/);
  });

  it('escapes the message of an error thrown on import', () => {
    const result = raftcheck(['run', '--impl', `${fakes}/modules/hostile-import.mjs`]);
    expect(result.status).toBe(2);
    expect(result.stderr).toContain(`broken on import ${shown}`);
    expectNeutralised(result);
  });
});

describe('hostile text in files and arguments', () => {
  const out = mkdtempSync(join(tmpdir(), 'raftcheck-hostile-'));
  const run = raftcheck(['run', '--scenario', 'default', '--bug', 'vote-without-log-check', '--seed', '1', '--no-shrink', '--json', '--out', out]);
  const tracePath = join(out, JSON.parse(run.stdout).failures[0].trace.split('/').slice(-2).join('/'));

  function tamperedTrace(): string {
    const trace = JSON.parse(readFileSync(tracePath, 'utf8'));
    trace.events[0].note = `note ${hostile}`;
    trace.result.violation.message = `message ${hostile}`;
    trace.result.violation.evidence = { [hostile]: hostile };
    trace.implementation.version = `version ${hostile}`;
    trace.scenario.description = hostile;
    return temporaryFile('tampered.trace.json', JSON.stringify(trace));
  }

  it('show escapes every string of a trace file it was told not to replay', () => {
    const result = raftcheck(['show', tamperedTrace(), '--no-replay', '--all', '--ticks']);
    expect(result.status).toBe(0);
    for (const field of ['note', 'message', 'version']) expect(result.stdout).toContain(`${field} ${shown}`);
    expectNeutralised(result);
  });

  it('replay escapes an --impl name it does not know', () => {
    const result = raftcheck(['replay', tracePath, '--impl', `./missing${hostile}.mjs`]);
    expect(result.status).toBe(2);
    expectNeutralised(result);
  });

  it('replay and shrink escape the trace paths they print', () => {
    const passing = traceOf(runSeed({ seed: 1, scenario: defaultScenario(), recordEvents: true }));
    const hostilePath = temporaryFile(`ok${hostile}.trace.json`, JSON.stringify(passing));
    const replay = raftcheck(['replay', hostilePath]);
    expect(replay.status).toBe(0);
    expectNeutralised(replay);
    const shrink = raftcheck(['shrink', tracePath, '--shrink-time', '1', '--out', join(dirname(hostilePath), `shrunk${hostile}.trace.json`)]);
    expect(shrink.status).toBe(1);
    expectNeutralised(shrink);
  });

  it('escapes unknown keys of a scenario file', () => {
    const scenario = temporaryFile('hostile.json', JSON.stringify({ nodes: 3, [hostile]: 1 }));
    const result = raftcheck(['run', '--scenario', scenario, '--seeds', '1']);
    expect(result.status).toBe(2);
    expect(result.stderr).toContain(`${shown}: unknown field`);
    expectNeutralised(result);
  });
});
