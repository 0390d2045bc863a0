// JUnit XML of a campaign, the format every CI system reads (`run --junit FILE`): one test suite
// per campaign, one test case for the campaign as a whole and one per failing seed, whose failure
// text starts with the command that replays it. Every string is escaped for XML, and characters
// XML 1.0 cannot carry at all (control characters an implementation may print) are written as
// visible escapes: text from implementations is never trusted.

import type { CampaignSummary } from './campaignSummary.js';

export function junitXml(summary: CampaignSummary): string {
  const suite = `raftcheck run: ${summary.implementation} on ${summary.scenario}`;
  const seconds = (summary.wallMs + summary.failuresWallMs) / 1000;
  const cases = [campaignCase(summary, suite), ...summary.failures.map((failure) => failureCase(failure, suite))];
  const failed = cases.filter((test) => test.includes('<failure')).length;
  const skipped = cases.filter((test) => test.includes('<skipped')).length;
  return [
    '<?xml version="1.0" encoding="UTF-8"?>',
    `<testsuites name="raftcheck" tests="${cases.length}" failures="${failed}" errors="0" skipped="${skipped}" time="${seconds.toFixed(3)}">`,
    `  <testsuite name="${attribute(suite)}" tests="${cases.length}" failures="${failed}" errors="0" skipped="${skipped}" time="${seconds.toFixed(3)}">`,
    ...cases,
    '  </testsuite>',
    '</testsuites>',
    '',
  ].join('\n');
}

function campaignCase(summary: CampaignSummary, suite: string): string {
  const name = `campaign, seeds ${String(summary.options.seeds ?? '')}`;
  const open = `    <testcase classname="${attribute(suite)}" name="${attribute(name)}" time="${(summary.wallMs / 1000).toFixed(3)}">`;
  if (summary.result === 'ok') return `${open}</testcase>`;
  if (summary.result === 'inconclusive') {
    const bounds = Object.entries(summary.inconclusiveByBound).map(([bound, count]) => `${bound} x${count}`).join(', ');
    return `${open}\n      <skipped message="${attribute(`inconclusive: a bound cut ${summary.inconclusiveSeeds.length} seed(s) short (${bounds}): not a pass`)}"/>\n    </testcase>`;
  }
  const counts = Object.entries(summary.violationsByInvariant).map(([invariant, count]) => `${invariant} x${count}`).join(', ');
  const stopped = summary.stoppedEarly ? ` (stopped early after ${summary.seeds} of ${summary.seedsPlanned} seeds at the failure limit)` : '';
  return `${open}\n      <failure type="${attribute(summary.result)}" message="${attribute(`${summary.result}: ${counts}${stopped}`)}"/>\n    </testcase>`;
}

function failureCase(failure: CampaignSummary['failures'][number], suite: string): string {
  const body = [`replay: ${failure.replay}`, `${failure.invariant}: ${failure.message}`, failure.trace === null ? '' : `trace: ${failure.trace}`].filter((line) => line !== '').join('\n');
  return [
    `    <testcase classname="${attribute(suite)}" name="seed ${failure.seed}">`,
    `      <failure type="${attribute(failure.invariant)}" message="${attribute(`${failure.invariant}: ${failure.message}`)}">${text(body)}</failure>`,
    '    </testcase>',
  ].join('\n');
}

/** Text as XML 1.0 character data: markup escaped, and what XML cannot hold written as \\xNN or \\uNNNN. */
function text(value: string): string {
  return value
    .replace(/&/g, '&amp;')
    .replace(/</g, '&lt;')
    .replace(/>/g, '&gt;')
    .replace(/[\u0000-\u0008\u000b\u000c\u000e-\u001f\ufffe\uffff]|[\ud800-\udbff](?![\udc00-\udfff])|(?<![\ud800-\udbff])[\udc00-\udfff]/g, (character) => {
      const code = character.charCodeAt(0);
      return code < 0x100 ? `\\x${code.toString(16).padStart(2, '0')}` : `\\u${code.toString(16).padStart(4, '0')}`;
    });
}

function attribute(value: string): string {
  return text(value).replace(/"/g, '&quot;').replace(/\n/g, '&#10;').replace(/\t/g, '&#9;').replace(/\r/g, '&#13;');
}
