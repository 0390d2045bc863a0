// The HTML reports in a real browser (headless Chromium, which .ci/run installs): the diagram
// draws an arrow per delivered message and rings the violation, the page's script fills the
// state table, markup inside a trace runs nothing, and a screenshot is not blank. Skipped, and
// said so, where no Chromium is installed.

import { execFileSync } from 'node:child_process';
import { existsSync, mkdtempSync, statSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { describe, expect, it } from 'vitest';
import { runSeed, traceOf } from '../../src/check/run.js';
import { referenceImplementation } from '../../src/adapters/reference.js';
import { bugsFromNames } from '../../src/raft/bugs.js';
import { loadScenario } from '../../src/check/scenarios.js';
import { diagramEvents, failurePage } from '../../src/report/html.js';
import type { TraceFile } from '../../src/sim/trace.js';

const chromium = ['/usr/bin/chromium', '/usr/bin/chromium-browser'].find((path) => existsSync(path));
const folder = mkdtempSync(join(tmpdir(), 'raftcheck-html-'));
const chromiumFlags = ['--headless', '--no-sandbox', '--disable-gpu', '--disable-dev-shm-usage', '--allow-file-access-from-files'];

function write(name: string, html: string): string {
  const path = join(folder, name);
  writeFileSync(path, html);
  return path;
}

/** The page's DOM after its script ran. */
function dom(path: string): string {
  return execFileSync(chromium!, [...chromiumFlags, '--dump-dom', `file://${path}`], { encoding: 'utf8', timeout: 120_000, stdio: ['ignore', 'pipe', 'ignore'] });
}

function failingTrace(bug: string, seed: number, scenario = 'swarm'): TraceFile {
  const run = runSeed({ seed, implementation: referenceImplementation(bugsFromNames([bug])), scenario: loadScenario(scenario), recordEvents: true });
  expect(run.violation).not.toBeNull();
  return traceOf(run, [bug]);
}

/** Deliveries the diagram can draw: their send is among the events drawn. */
function drawableDeliveries(trace: TraceFile): number {
  const shown = diagramEvents(trace).events;
  const sent = new Set<number>();
  let count = 0;
  for (const event of shown) {
    if (event.sent !== undefined) for (let id = event.sent[0]; id <= event.sent[1]; id += 1) sent.add(id);
    if (event.kind === 'deliver' && event.messageId !== undefined && sent.has(event.messageId)) count += 1;
  }
  return count;
}

describe.skipIf(chromium === undefined)('failure pages in Chromium', () => {
  it.each([
    ['term-rollback', 2, 'swarm'],
    ['vote-without-log-check', 10, 'swarm'],
  ])('draws an arrow for every delivered message of a %s failure and rings the violation', (bug, seed, scenario) => {
    const trace = failingTrace(bug, seed, scenario);
    const page = dom(write(`${bug}.html`, failurePage(trace, { replayCommand: `npx raftcheck run --seed ${seed} --bug ${bug}` })));
    const arrows = page.match(/<line [^>]*class="message( lost)?"/g) ?? [];
    expect(arrows.length).toBe(drawableDeliveries(trace));
    expect(arrows.length).toBeGreaterThan(0);
    expect(page.match(/class="mark [a-z]+ violation"/g)).toHaveLength(1);
    // The page's script ran: the state table has a row per node after the violating step, and
    // one per spare that joined (a swarm seed that draws membership).
    expect(page).toContain(`<span id="chosen">${trace.result.violation!.eventNumber}</span>`);
    const joined = new Set(trace.events.flatMap((event) => (event.node !== undefined && event.node > trace.scenario.nodes ? [event.node] : [])));
    expect((page.match(/<table id="state"[\s\S]*?<\/table>/)?.[0].match(/<tr>/g) ?? []).length).toBe(trace.scenario.nodes + joined.size + 1);
  });

  it('shows markup carried by a trace as text, and runs none of it', () => {
    const trace = failingTrace('term-rollback', 2);
    const hostile = '<script>document.title="pwned"</script><img src=x onerror="document.title=\'pwned\'">';
    trace.implementation.name = hostile;
    trace.events[0].note = hostile;
    trace.result.violation!.message = `${hostile}\u001b[31m`;
    const page = dom(write('hostile.html', failurePage(trace, { replayCommand: `npx raftcheck run ${hostile}` })));
    expect(page).not.toContain('pwned</title>');
    expect(page).not.toMatch(/<img /);
    expect(page.match(/<script>/g)).toHaveLength(1);
    expect(page).toContain('&lt;script&gt;document.title="pwned"&lt;/script&gt;');
    expect(page).toContain('\\x1b[31m');
  });

  it('renders a screenshot that is not blank', () => {
    const path = write('screenshot.html', failurePage(failingTrace('term-rollback', 2), { replayCommand: 'npx raftcheck run --seed 2 --bug term-rollback' }));
    const screenshot = join(folder, 'screenshot.png');
    execFileSync(chromium!, [...chromiumFlags, `--screenshot=${screenshot}`, '--window-size=1000,900', `file://${path}`], { timeout: 120_000, stdio: 'ignore' });
    // A blank 1000x900 PNG compresses to a few hundred bytes; text and a diagram take tens of kilobytes.
    expect(statSync(screenshot).size).toBeGreaterThan(20_000);
  });
});

describe.runIf(chromium === undefined)('failure pages without Chromium', () => {
  it('are not checked in a browser here: install Debian\'s chromium (.ci/run does)', () => {
    expect(chromium).toBeUndefined();
  });
});
