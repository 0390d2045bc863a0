// Switchable bugs of the reference Raft, for the bug corpus. Read in one place (RaftNode's
// constructor turns the names into this object); each bug's code path sits beside the correct
// one, guarded by its flag, and no flag is ever on by default.

export interface RaftBugs {
  readonly enabled: ReadonlySet<string>;
}

export const noBugs: RaftBugs = { enabled: new Set() };
