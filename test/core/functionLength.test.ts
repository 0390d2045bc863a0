// Functions under 70 lines (TigerBeetle's rule, common standards). This test measures every
// function in src/ and invariants/ with the TypeScript compiler's own parser and names each one
// whose body runs past the limit. A body's length is the lines from its opening brace to its
// closing one, both included (an arrow's expression body: the lines it spans).
//
// The allowlist holds the functions that were already longer when the rule got its test, each at
// its length then: none may grow, none may join, and an entry that no longer applies must go, so
// the list only shrinks. Split a function rather than raise its entry.

import { readFileSync } from 'node:fs';
import { join } from 'node:path';
import ts from 'typescript';
import { describe, expect, it } from 'vitest';
import { repositoryRoot, sourceFiles } from '../support/sourceFiles.js';

const linesMax = 70;

/**
 * Functions over the limit, by "path name" (see lengthsOf for the names), with their length when
 * they were listed; each is to be split, which removes its entry.
 */
const allowlist: Record<string, number> = {
  'src/check/shrinkRun.ts shrinkToTrace': 117,
  'src/explore/search.ts Search.breadthFirst': 74,
  'src/report/timeline.ts formatTimeline': 100,
  'src/sim/faults.ts FaultProcesses.decide': 78,
  'invariants/stateMachineSafety.ts create': 72,
};

/** What a function is called where it is written: its name, or what it is assigned to. */
function ownName(node: ts.SignatureDeclaration, source: ts.SourceFile): string {
  if (ts.isConstructorDeclaration(node)) return 'constructor';
  if (node.name !== undefined) return node.name.getText(source);
  const parent = node.parent;
  if ((ts.isVariableDeclaration(parent) || ts.isPropertyAssignment(parent) || ts.isPropertyDeclaration(parent)) && parent.name !== undefined) {
    return parent.name.getText(source);
  }
  return '<anonymous>';
}

export interface FunctionLength {
  /** "path name", the name qualified by the enclosing classes and functions: "src/a.ts Search.run". */
  key: string;
  line: number;
  lines: number;
}

/** The length of every function with a body in one file. */
export function lengthsOf(path: string, text: string): FunctionLength[] {
  const source = ts.createSourceFile(path, text, ts.ScriptTarget.Latest, true);
  const found: FunctionLength[] = [];
  const visit = (node: ts.Node, scope: string[]): void => {
    let inner = scope;
    if (ts.isClassLike(node)) inner = [...scope, node.name?.text ?? '<class>'];
    if (ts.isFunctionLike(node) && 'body' in node && node.body !== undefined) {
      const body = node.body as ts.Node;
      const first = source.getLineAndCharacterOfPosition(body.getStart(source)).line;
      const last = source.getLineAndCharacterOfPosition(body.end).line;
      inner = [...scope, ownName(node, source)];
      found.push({ key: `${path} ${inner.join('.')}`, line: first + 1, lines: last - first + 1 });
    }
    ts.forEachChild(node, (child) => visit(child, inner));
  };
  visit(source, []);
  return found;
}

/** Each function over the limit that the allowlist does not cover, and each stale allowlist entry. */
export function lengthProblems(lengths: FunctionLength[], allowed: Record<string, number>): string[] {
  const problems: string[] = [];
  const longest = new Map<string, number>();
  for (const { key, line, lines } of lengths) {
    longest.set(key, Math.max(longest.get(key) ?? 0, lines));
    if (lines <= linesMax) continue;
    const limit = allowed[key];
    if (limit === undefined) problems.push(`${key} (line ${line}) is ${lines} lines, over ${linesMax}: split it`);
    else if (lines > limit) problems.push(`${key} (line ${line}) grew to ${lines} lines, past its allowlisted ${limit}: split it`);
  }
  for (const [key, limit] of Object.entries(allowed)) {
    const lines = longest.get(key);
    if (lines === undefined || lines <= linesMax) {
      problems.push(`${key} is allowlisted at ${limit} lines but is now ${lines === undefined ? 'gone' : `${lines} lines`}: remove its entry`);
    }
  }
  return problems;
}

describe('functions under 70 lines', () => {
  it('has no function in src/ or invariants/ over 70 lines outside the shrinking allowlist', () => {
    const lengths = [...sourceFiles('src'), ...sourceFiles('invariants')].flatMap((path) => lengthsOf(path, readFileSync(join(repositoryRoot, path), 'utf8')));
    expect(lengthProblems(lengths, allowlist)).toEqual([]);
  });

  it('counts a body from its opening brace to its closing one and names it by its scope', () => {
    const text = ['class Search {', '  run(): void {', '    const step = () => {', '      go();', '    };', '  }', '}', 'function free() { return 1; }'].join('\n');
    expect(lengthsOf('src/x.ts', text).map(({ key, lines }) => `${key} ${lines}`)).toEqual([
      'src/x.ts Search.run 5',
      'src/x.ts Search.run.step 3',
      'src/x.ts free 1',
    ]);
  });

  it('names a function over the limit, one that outgrew its entry, and an entry that no longer applies', () => {
    const lengths: FunctionLength[] = [
      { key: 'src/a.ts long', line: 3, lines: 71 },
      { key: 'src/a.ts listed', line: 90, lines: 80 },
      { key: 'src/a.ts fine', line: 200, lines: 70 },
    ];
    expect(lengthProblems(lengths, { 'src/a.ts listed': 79, 'src/a.ts fine': 75, 'src/b.ts gone': 90 })).toEqual([
      'src/a.ts long (line 3) is 71 lines, over 70: split it',
      'src/a.ts listed (line 90) grew to 80 lines, past its allowlisted 79: split it',
      'src/a.ts fine is allowlisted at 75 lines but is now 70 lines: remove its entry',
      'src/b.ts gone is allowlisted at 90 lines but is now gone: remove its entry',
    ]);
  });
});
