// Sharding a campaign across machines: `run --shard I/N` runs a deterministic 1/N of the seed
// range and `raftcheck merge` puts the shards' reports back together. Seeds are dealt round robin
// (seed k of the range goes to shard k mod N), so shards of a range get near-equal work whatever
// the range, and a seed's run never depends on which shard ran it. raftcheck runs no scheduler of
// its own: CI matrices and Kubernetes Indexed Jobs start the shards (README, "Sharding").

export interface Shard {
  /** 1-based: shard 1 of 3 is the first. */
  index: number;
  count: number;
}

/** Most shards of one campaign: past this a shard would hold a handful of seeds at most. */
export const shardCountMax = 100_000;

/** `I/N` as a shard, or what is wrong with it. */
export function parseShard(text: string): { ok: true; shard: Shard } | { ok: false; message: string } {
  const match = /^(\d+)\/(\d+)$/.exec(text.trim());
  if (match === null) return { ok: false, message: `--shard expects I/N (shard I of N, e.g. 2/4), got "${text}"` };
  const index = Number(match[1]);
  const count = Number(match[2]);
  if (count < 1 || count > shardCountMax) return { ok: false, message: `--shard ${text}: N must be from 1 to ${shardCountMax}` };
  if (index < 1 || index > count) return { ok: false, message: `--shard ${text}: I must be from 1 to N (${count})` };
  return { ok: true, shard: { index, count } };
}

/** The seeds of `seeds` that shard `shard` runs, in order. */
export function shardSeeds(seeds: readonly number[], shard: Shard): number[] {
  return seeds.filter((_, position) => position % shard.count === shard.index - 1);
}
