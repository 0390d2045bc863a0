// The public API of raftcheck: run one seed or a campaign from your own code (a vitest suite,
// a script) and get typed results. The CLI is a thin shell over these same calls.

export type {
  AppliedEntry,
  Command,
  DigestSink,
  DurableRecord,
  ExplorationHook,
  Implementation,
  ImplementationOptions,
  Input,
  LogEntryView,
  Message,
  NodeInstance,
  OutboundMessage,
  Output,
  ProposalAnswer,
  Role,
  StartInput,
  StateView,
} from './contract/contract.js';
export { emptyOutput } from './contract/contract.js';
export { referenceImplementation } from './adapters/reference.js';
export type { BugDefinition, RaftBugs } from './raft/bugs.js';
export { bugCatalog, bugsFromNames } from './raft/bugs.js';

export type { RunSeedOptions, SeedResult } from './check/run.js';
export { runSeed, traceOf } from './check/run.js';
export type { CampaignFailure, CampaignOptions, CampaignProgress, CampaignResult, DeterminismMismatch } from './check/campaign.js';
export { runCampaign, seedRange } from './check/campaign.js';
export { listScenarios, loadScenario, ScenarioError, shippedScenarioNames } from './check/scenarios.js';

export type { HistoryVerdict, InvariantChecker, InvariantDefinition } from '../invariants/types.js';
export type { ClientOperation, HarnessError, Inconclusive, ObservedCluster, ObservedNode, StepChange, Violation } from './contract/observation.js';
export { isHarnessError } from './contract/observation.js';
export type { ClientOptions, Scenario } from './sim/scenario.js';
export { defaultClientOptions, defaultScenario } from './sim/scenario.js';
export { withClients } from './check/options.js';
export { parseScenario } from './sim/scenarioSchema.js';
export type { BoundReached, ImplementationError, RunStatistics, RunStatus, SimulationOptions, SimulationResult, TraceEvent } from './sim/simulation.js';
export { Simulation } from './sim/simulation.js';
export type { TraceFile } from './sim/trace.js';
export { parseTrace } from './sim/trace.js';
export type { ShrinkOptions, ShrinkResult } from './shrink/shrink.js';
export { shrink } from './shrink/shrink.js';
export { shrinkToTrace } from './check/shrinkRun.js';
export { readTraceFile, replayTrace, writeTraceFile } from './check/traces.js';
export type { WorkerCampaignOptions } from './check/workers.js';
export { defaultJobs, runCampaignInWorkers } from './check/workers.js';
export { faultSummary } from './check/options.js';

export type { ExploreBounds, ExploreOptions, ExploreResult, ExploreStop, ExploreStrategy } from './explore/search.js';
export { defaultExploreBounds, explore } from './explore/search.js';
export type { ExploreOptionProblem } from './explore/options.js';
export { ExploreOptionsError, exploreOptionProblems } from './explore/options.js';
export { exploreTraceOf } from './shrink/paths.js';
export { exploreImplementationOptions } from './cli/exploreCommand.js';

export type { AssertRaftOptions } from './report/assertRaft.js';
export { assertRaft, RaftCheckFailure, RaftCheckInconclusive } from './report/assertRaft.js';
export type { FailureOnDisk, FailureTraceOptions } from './report/failureTraces.js';
export { formatFailureOnDisk, writeFailureTraces } from './report/failureTraces.js';
export type { ConsoleStyle, FailureReport } from './report/console.js';
export { failureHeadline, formatFailure } from './report/console.js';
export type { FailureRecord } from './report/failureRecord.js';
export { failureRecord } from './report/failureRecord.js';
export type { ReportDirectory } from './report/reportDirectory.js';
export { createReportDirectory } from './report/reportDirectory.js';
export type { TimelineOptions } from './report/timeline.js';
export { formatTimeline } from './report/timeline.js';

export { allInvariants, invariantByName } from '../invariants/index.js';
export type { HistoryOperation, LinearizabilityOptions, LinearizabilityResult } from '../invariants/linearizability.js';
export { checkLinearizability, formatLinearizabilityResult } from '../invariants/linearizability.js';
export { exitCodes } from './report/exitCodes.js';
