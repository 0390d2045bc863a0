// Scheduled partitions of every shape. Every node Pings every peer on every tick over a 1 ms
// network, so the links that carried a message sent in a time window are exactly the links
// that were intact then (a message sent over a cut link is lost when it is sent).

import { describe, expect, it } from 'vitest';
import { allLinks, crossLinks, eventsOf, link, linksDelivered, pingEveryTick, pingOnFirstTick, runProbe, scheduled, sorted, without } from './probes.js';

const everyLink = allLinks(5);

function linksOf(node: number): string[] {
  return everyLink.filter((item) => item.startsWith(`${node}>`) || item.endsWith(`>${node}`));
}

describe('scheduled partitions', () => {
  it('cuts both directions of an isolated node, and heal restores them', () => {
    const { log, result, events } = runProbe({
      scenario: scheduled(
        [
          { atMs: 100, action: 'isolate', node: 3 },
          { atMs: 300, action: 'heal' },
        ],
        500,
      ),
      behaviour: pingEveryTick('all'),
    });
    const deliveries = log.deliveries();
    expect(sorted(linksDelivered(deliveries, 0, 100))).toEqual(sorted(everyLink));
    expect(sorted(linksDelivered(deliveries, 100, 300))).toEqual(without(everyLink, linksOf(3)));
    expect(sorted(linksDelivered(deliveries, 300, 500))).toEqual(sorted(everyLink));
    expect(eventsOf(events, 'isolate')).toMatchObject([{ t: 100, node: 3 }]);
    expect(result.statistics.partitions).toBe(1);
  });

  it('cuts exactly the links between the groups of partition {1,2} | {3,4,5}', () => {
    const groups = [[1, 2], [3, 4, 5]];
    const { log, events } = runProbe({
      scenario: scheduled([{ atMs: 100, action: 'partition', groups }, { atMs: 300, action: 'heal' }], 400),
      behaviour: pingEveryTick('all'),
    });
    const cut = crossLinks(groups);
    expect(cut).toHaveLength(12);
    expect(sorted(linksDelivered(log.deliveries(), 100, 300))).toEqual(without(everyLink, cut));
    expect(sorted(linksDelivered(log.deliveries(), 300, 400))).toEqual(sorted(everyLink));
    expect(eventsOf(events, 'partition')).toMatchObject([{ t: 100, note: 'partition {1,2} | {3,4,5}' }]);
  });

  it('lets the bridge node talk to both sides while the sides cannot talk to each other', () => {
    const groups = [[1, 2], [4, 5]];
    const { log, events } = runProbe({
      scenario: scheduled([{ atMs: 100, action: 'bridge', groups, bridge: 3 }], 300),
      behaviour: pingEveryTick('all'),
    });
    const during = linksDelivered(log.deliveries(), 100, 300);
    for (const item of linksOf(3)) expect(during.has(item)).toBe(true);
    for (const item of crossLinks(groups)) expect(during.has(item)).toBe(false);
    expect(sorted(during)).toEqual(without(everyLink, crossLinks(groups)));
    expect(eventsOf(events, 'partition')[0].note).toBe('bridge n3 between {1,2} and {4,5}');
  });

  it('passes 2->1 but not 1->2 after a one-way cut from 1 to 2', () => {
    const { log, events } = runProbe({
      scenario: scheduled([{ atMs: 100, action: 'cut', from: 1, to: 2 }], 300),
      behaviour: pingEveryTick('all'),
    });
    const during = linksDelivered(log.deliveries(), 100, 300);
    expect(during.has('2>1')).toBe(true);
    expect(during.has('1>2')).toBe(false);
    expect(sorted(during)).toEqual(without(everyLink, ['1>2']));
    expect(eventsOf(events, 'partition')[0].note).toBe('cut n1->n2 (one way)');
  });

  it('cuts a single link both ways with bothWays, every other link intact', () => {
    const { log, events } = runProbe({
      scenario: scheduled([{ atMs: 100, action: 'cut', from: 2, to: 4, bothWays: true }], 300),
      behaviour: pingEveryTick('all'),
    });
    expect(sorted(linksDelivered(log.deliveries(), 100, 300))).toEqual(without(everyLink, ['2>4', '4>2']));
    expect(eventsOf(events, 'partition')[0].note).toBe('cut n2<->n4');
  });

  it('alternates cut and healed for the given cycles at the given times when it flaps', () => {
    const groups = [[1, 2], [3, 4, 5]];
    const { log, events, result } = runProbe({
      scenario: scheduled([{ atMs: 100, action: 'flap', groups, cycles: 3, partitionMs: 100, healMs: 50 }], 700),
      behaviour: pingEveryTick('all'),
    });
    expect(eventsOf(events, 'partition').map((event) => [event.t, event.note])).toEqual([
      [100, 'partition {1,2} | {3,4,5} (flap 1/3)'],
      [250, 'partition {1,2} | {3,4,5} (flap 2/3)'],
      [400, 'partition {1,2} | {3,4,5} (flap 3/3)'],
    ]);
    expect(eventsOf(events, 'heal').map((event) => event.t)).toEqual([200, 350, 500]);
    expect(result.statistics.partitions).toBe(3);

    const deliveries = log.deliveries();
    const cut = without(everyLink, crossLinks(groups));
    const windows: [number, number, string[]][] = [
      [0, 100, sorted(everyLink)],
      [100, 200, cut],
      [200, 250, sorted(everyLink)],
      [250, 350, cut],
      [350, 400, sorted(everyLink)],
      [400, 500, cut],
      [500, 700, sorted(everyLink)],
    ];
    for (const [fromMs, toMs, expected] of windows) expect(sorted(linksDelivered(deliveries, fromMs, toMs)), `${fromMs}-${toMs} ms`).toEqual(expected);
  });

  it('loses a message already in flight when its link is cut before it arrives', () => {
    const scenario = scheduled([{ atMs: 30, action: 'cut', from: 1, to: 2 }], 200);
    scenario.network.delay = { distribution: 'constant', minMs: 50, maxMs: 50 };
    const { log, events, result } = runProbe({ scenario, behaviour: pingOnFirstTick([1]) });
    // Node 1's first tick comes before 20 ms: the Ping to n2 is on the wire when the cut comes.
    const sent = log.sent.find((item) => item.to === 2)!;
    expect(sent.atMs).toBeLessThan(30);
    const arrival = eventsOf(events, 'deliver').find((event) => event.node === 2)!;
    expect(arrival).toMatchObject({ t: sent.atMs + 50, from: 1, note: 'lost: link cut' });
    expect(log.deliveries().map((delivery) => link(delivery.from, delivery.to))).toEqual(['1>3', '1>4', '1>5']);
    expect(result.statistics.messagesDropped).toBe(0); // lost on arrival, not on sending
  });
});
