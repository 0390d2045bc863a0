// The clients' history: sessions make a retried command apply once, an operation whose outcome is
// unknown is recorded as indeterminate, and the scenario's clients field is validated with paths.

import { describe, expect, it } from 'vitest';
import { referenceImplementation } from '../../src/adapters/reference.js';
import { runCampaign } from '../../src/check/campaign.js';
import { runSeed } from '../../src/check/run.js';
import { bugsFromNames } from '../../src/raft/bugs.js';
import { KeyValueStore } from '../../src/contract/keyValueStore.js';
import type { Scenario } from '../../src/sim/scenario.js';
import { defaultClientOptions, defaultScenario } from '../../src/sim/scenario.js';
import { parseScenario } from '../../src/sim/scenarioSchema.js';
import type { ClientOperation } from '../../src/contract/observation.js';
import { checkedHistory } from '../../src/world/history.js';

/**
 * Three quiet nodes and one busy client appending to and reading one key; the leader crashes at
 * 500 ms, with an operation of the client in flight there (for the seeds below).
 */
function leaderCrashWithClient(retriesMax: number): Scenario {
  const scenario = defaultScenario();
  scenario.name = 'leader-crash-with-a-client';
  scenario.nodes = 3;
  scenario.durationMs = 1_000;
  scenario.network.delay = { distribution: 'constant', minMs: 2, maxMs: 2 };
  scenario.network.dropProbability = 0;
  scenario.faults.crash.perSecond = 0;
  scenario.faults.crash.downMax = 1;
  scenario.faults.partition.perSecond = 0;
  scenario.workload.proposalsPerSecond = 0;
  scenario.liveness.enabled = false;
  scenario.clients = {
    ...defaultClientOptions(),
    count: 1,
    keys: 1,
    requestIntervalMs: { minMs: 1, maxMs: 2 },
    operations: { get: 1, put: 0, append: 1 },
    timeoutMs: 100,
    retriesMax,
  };
  scenario.schedule = [{ atMs: 500, action: 'crash', node: 'leader', restartAfterMs: 100 }];
  return scenario;
}

/** How often each append's token occurs in the last value a get read. */
function tokenCounts(history: readonly ClientOperation[]): Map<string, number> {
  const lastRead = history.filter((operation) => operation.kind === 'get' && operation.completion !== undefined).at(-1);
  const counts = new Map<string, number>();
  for (const token of (lastRead?.completion?.result ?? '').split(';').filter((part) => part !== '')) counts.set(token, (counts.get(token) ?? 0) + 1);
  return counts;
}

describe('client sessions', () => {
  it('apply a retried command once, and answer the retry with the first result', () => {
    const store = new KeyValueStore();
    const append = { id: 1, op: 'append' as const, key: 'x0', value: 'a;', client: 1, sequence: 1 };
    expect(store.apply(append)).toBeNull();
    expect(store.apply({ ...append, id: 2 })).toBeNull();
    expect(store.get('x0')).toBe('a;');
    expect(store.apply({ ...append, id: 3, sequence: 2, value: 'b;' })).toBe('a;');
    expect(store.get('x0')).toBe('a;b;');
  });

  it('without deduplication (the no-client-dedup bug) apply it twice', () => {
    const store = new KeyValueStore({ deduplicate: false });
    const append = { id: 1, op: 'append' as const, key: 'x0', value: 'a;', client: 1, sequence: 1 };
    store.apply(append);
    store.apply({ ...append, id: 2 });
    expect(store.get('x0')).toBe('a;a;');
  });

  it('keep an append retried after its leader crashed to one occurrence, and without them the checker sees two', () => {
    // Seed 2: the append of op 43 was accepted by the leader that crashed, then retried and
    // accepted again by the next leader.
    const scenario = leaderCrashWithClient(3);
    const correct = runSeed({ seed: 2, scenario });
    const retried = correct.history!.find((operation) => operation.kind === 'append' && operation.acceptedAttempts >= 2);
    expect(retried?.completion).toBeDefined();
    expect(correct.status).toBe('ok');
    expect(tokenCounts(correct.history!).get(retried!.value!.slice(0, -1))).toBe(1);

    const buggy = runSeed({ seed: 2, scenario, implementation: referenceImplementation(bugsFromNames(['no-client-dedup'])) });
    expect(buggy.violation?.invariant).toBe('linearizability');
    expect(buggy.violation?.message).toContain(`${retried!.value!}${retried!.value!}`);
  });
});

describe('the history', () => {
  it('records an operation in flight at a node that crashed, with no retry left, as indeterminate', () => {
    // Seed 8: op 47, an append invoked at 495 ms and accepted by the leader, which crashes at 500 ms.
    const result = runSeed({ seed: 8, scenario: leaderCrashWithClient(0), recordEvents: true });
    const lost = result.history!.find((operation) => operation.invokeMs < 500 && operation.completion === undefined && operation.acceptedAttempts > 0);
    expect(lost).toMatchObject({ kind: 'append', attempts: 1, acceptedAttempts: 1 });
    expect(checkedHistory(result.history!)).toContainEqual(lost);
    expect(result.eventLog!.some((event) => event.kind === 'crash' && event.note?.includes(`gives up op ${lost!.id}: indeterminate`))).toBe(true);
    // It may or may not have taken effect: either way the history is linearizable.
    expect(result.status).toBe('ok');
  });

  it('leaves out of the check an operation no node ever accepted (it certainly never took effect)', () => {
    const refused: ClientOperation = { id: 1, client: 1, kind: 'put', key: 'x0', value: 'c1.1', invokeMs: 0, attempts: 7, acceptedAttempts: 0 };
    const inDoubt: ClientOperation = { ...refused, id: 2, acceptedAttempts: 1 };
    const done: ClientOperation = { ...refused, id: 3, completion: { completeMs: 5 } };
    expect(checkedHistory([refused, inDoubt, done])).toEqual([inDoubt, done]);
  });

  it('is the same for the same seed, and absent without clients', () => {
    const scenario = leaderCrashWithClient(3);
    expect(runSeed({ seed: 5, scenario }).history).toEqual(runSeed({ seed: 5, scenario }).history);
    expect(runSeed({ seed: 5 }).history ?? null).toBeNull();
  });
});

describe('a history check out of its step budget', () => {
  it('is inconclusive: neither a violation nor a pass, named in the run and in the campaign', () => {
    const scenario = leaderCrashWithClient(3);
    scenario.clients = { ...scenario.clients!, checkStepsMax: 1 };
    const result = runSeed({ seed: 2, scenario });
    expect(result.violation).toBeNull();
    expect(result.inconclusive).toEqual([
      expect.objectContaining({ invariant: 'linearizability', reason: expect.stringContaining('ran out of its budget of 1 step') }),
    ]);
    const campaign = runCampaign({ seeds: [2, 3], scenario });
    expect(campaign.inconclusiveSeeds).toEqual([2, 3]);
    expect(campaign.result).toBe('inconclusive');
    expect(campaign.inconclusiveByBound).toEqual({ 'check-budget': 2 });
    expect(campaign.inconclusive[0]).toMatchObject({ seed: 2, bound: 'check-budget', reason: expect.stringContaining('linearizability: the search ran out') });
    // The same run with its full budget decides.
    expect(runSeed({ seed: 2, scenario: leaderCrashWithClient(3) }).inconclusive).toEqual([]);
  });
});

describe('the clients field of a scenario file', () => {
  it('fills what it leaves out from the defaults, and is absent unless given', () => {
    const parsed = parseScenario({ clients: { count: 2, reads: 'readIndex' } }, 'file');
    expect(parsed.ok && parsed.scenario.clients).toEqual({ ...defaultClientOptions(), count: 2, reads: 'readIndex' });
    const without = parseScenario({}, 'file');
    expect(without.ok && without.scenario.clients).toBeUndefined();
  });

  it('is rejected with the path of each bad field', () => {
    const parsed = parseScenario(
      { clients: { count: 0, reads: 'fast', requestIntervalMs: { minMs: 50, maxMs: 10 }, operations: { get: 0, put: 0, append: 0 } } },
      'file',
    );
    expect(parsed.ok).toBe(false);
    if (parsed.ok) return;
    expect(parsed.errors.map((error) => error.path)).toEqual(expect.arrayContaining(['clients.count', 'clients.reads']));
    const semantic = parseScenario({ clients: { requestIntervalMs: { minMs: 50, maxMs: 10 }, operations: { get: 0, put: 0, append: 0 } } }, 'file');
    expect(semantic.ok).toBe(false);
    if (semantic.ok) return;
    expect(semantic.errors.map((error) => error.path)).toEqual(['clients.requestIntervalMs.minMs', 'clients.operations']);
  });
});
