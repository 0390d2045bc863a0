// `raftcheck bugs`: the corpus of switchable bugs in the reference Raft, each with the invariant
// expected to catch it and, on a line below, where the bug class comes from (or JSON for
// machines). `raftcheck run --bug NAME` turns one on.

import type { RaftBugs } from '../raft/bugs.js';
import { bugCatalog, bugsFromNames, UnknownBugError } from '../raft/bugs.js';
import type { CommandIo } from './io.js';
import { UsageError } from './io.js';

export function bugsCommand(args: { json: boolean }, io: CommandIo): number {
  if (args.json) {
    const list = bugCatalog.map(({ name, description, invariant, source }) => ({ name, description, invariant, source }));
    io.stdout.write(`${JSON.stringify(list)}\n`);
    return 0;
  }
  const nameWidth = Math.max(...bugCatalog.map((bug) => bug.name.length));
  const invariantWidth = Math.max(...bugCatalog.map((bug) => bug.invariant.length));
  for (const bug of bugCatalog) {
    io.stdout.write(`${bug.name.padEnd(nameWidth)}  ${bug.invariant.padEnd(invariantWidth)}  ${bug.description}\n`);
    io.stdout.write(`${' '.repeat(nameWidth + 2)}source: ${bug.source}\n`);
  }
  return 0;
}

/** The bugs named on the command line; an unknown name is a usage error listing the known ones. */
export function bugsFromArguments(names: readonly string[] | undefined): RaftBugs {
  try {
    return bugsFromNames(names ?? []);
  } catch (error) {
    if (error instanceof UnknownBugError) throw new UsageError(`${error.message}\nRun "raftcheck bugs" for what each one does.`);
    throw error;
  }
}
