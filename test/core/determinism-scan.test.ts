// A run is a pure function of (implementation, scenario, seed): nothing in src/ or invariants/
// may read the wall clock or ambient randomness, except the files named in ALLOWLIST, which
// measure wall time for reporting only. This scan reads every .ts file with comments removed and
// names each offending file, line and pattern. src/cli/ and src/report/ get no exemption: they
// go through src/core/wallClock.ts like everything else.

import { mkdirSync, mkdtempSync, readdirSync, readFileSync, rmSync, statSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { fileURLToPath } from 'node:url';
import { join, relative, sep } from 'node:path';
import { describe, expect, it } from 'vitest';

/** Files allowed to read ambient time or randomness, relative to the repo root, each with why. */
export const ALLOWLIST: readonly { path: string; reason: string }[] = [
  { path: 'src/core/wallClock.ts', reason: 'the one wall-clock reader, used only for reporting (rates, progress, report folder names, time budgets)' },
];

/** Folders scanned, relative to the repo root. */
export const SCANNED_FOLDERS: readonly string[] = ['src', 'invariants'];

export interface ForbiddenPattern {
  name: string;
  pattern: RegExp;
}

export const FORBIDDEN_PATTERNS: readonly ForbiddenPattern[] = [
  { name: 'Math.random', pattern: /\bMath\s*\.\s*random\b/ },
  { name: 'Date.now', pattern: /\bDate\s*\.\s*now\b/ },
  { name: 'new Date(', pattern: /\bnew\s+Date\b/ },
  { name: 'performance.now', pattern: /\bperformance\s*\.\s*now\b/ },
  { name: 'setTimeout', pattern: /\bsetTimeout\b/ },
  { name: 'setInterval', pattern: /\bsetInterval\b/ },
  { name: 'setImmediate', pattern: /\bsetImmediate\b/ },
  { name: 'crypto randomBytes', pattern: /\brandomBytes(Sync)?\b/ },
  { name: 'crypto randomUUID', pattern: /\brandomUUID\b/ },
  { name: 'crypto getRandomValues', pattern: /\bgetRandomValues\b/ },
  { name: 'crypto randomInt', pattern: /\brandomInt\b/ },
  { name: 'process.hrtime', pattern: /\bprocess\s*\.\s*hrtime\b/ },
  { name: "import of 'perf_hooks'", pattern: /['"`](node:)?perf_hooks['"`]/ },
];

export interface Finding {
  path: string;
  line: number;
  pattern: string;
}

/**
 * Removes // and /* *\/ comments, keeping string and template literal contents (an import
 * specifier is a string) and keeping every newline, so that line numbers stay right. Strings are
 * tracked only so that "//" inside a string (a URL) is not taken for a comment; regular
 * expression literals are not recognised, which is fine for the code this scans.
 */
export function stripComments(source: string): string {
  let output = '';
  let index = 0;
  const length = source.length;
  while (index < length) {
    const character = source[index];
    const next = source[index + 1];
    if (character === '/' && next === '/') {
      while (index < length && source[index] !== '\n') index += 1;
      continue;
    }
    if (character === '/' && next === '*') {
      index += 2;
      while (index < length && !(source[index] === '*' && source[index + 1] === '/')) {
        if (source[index] === '\n') output += '\n';
        index += 1;
      }
      index += 2;
      continue;
    }
    if (character === "'" || character === '"' || character === '`') {
      const quote = character;
      output += character;
      index += 1;
      while (index < length && source[index] !== quote) {
        // A plain string cannot span lines: stop at a newline, so one stray quote (say in a
        // regular expression literal) cannot swallow the rest of the file.
        if (source[index] === '\n' && quote !== '`') break;
        if (source[index] === '\\' && index + 1 < length) {
          output += source[index];
          index += 1;
        }
        output += source[index];
        index += 1;
      }
      if (index < length && source[index] === quote) {
        output += quote;
        index += 1;
      }
      continue;
    }
    output += character;
    index += 1;
  }
  return output;
}

/** Every use of a forbidden pattern in one source text, by line (1-based). */
export function scanSource(path: string, source: string): Finding[] {
  const findings: Finding[] = [];
  const lines = stripComments(source).split('\n');
  lines.forEach((text, index) => {
    for (const { name, pattern } of FORBIDDEN_PATTERNS) {
      if (pattern.test(text)) findings.push({ path, line: index + 1, pattern: name });
    }
  });
  return findings;
}

export const repositoryRoot = fileURLToPath(new URL('../../', import.meta.url));

/** Every .ts file under the scanned folders, as sorted repo-relative paths with '/' separators. */
export function sourceFiles(root: string = repositoryRoot): string[] {
  const files: string[] = [];
  const walk = (folder: string): void => {
    for (const entry of readdirSync(folder, { withFileTypes: true })) {
      if (entry.name === 'node_modules' || entry.name.startsWith('.')) continue;
      const path = join(folder, entry.name);
      if (entry.isDirectory()) walk(path);
      else if (entry.isFile() && /\.[cm]?ts$/.test(entry.name)) files.push(relative(root, path).split(sep).join('/'));
    }
  };
  for (const folder of SCANNED_FOLDERS) {
    const absolute = join(root, folder);
    if (statSync(absolute, { throwIfNoEntry: false })?.isDirectory()) walk(absolute);
  }
  return files.sort();
}

function formatFindings(findings: readonly Finding[]): string {
  return [
    'ambient time or randomness outside the allowlist (use src/core/wallClock.ts, or a Random stream):',
    ...findings.map((finding) => `  ${finding.path}:${finding.line}: ${finding.pattern}`),
  ].join('\n');
}

describe('the determinism scan', () => {
  it('finds no ambient time or randomness in src/ or invariants/ outside the allowlist', () => {
    const allowed = new Set(ALLOWLIST.map((entry) => entry.path));
    const findings: Finding[] = [];
    for (const path of sourceFiles()) {
      if (allowed.has(path)) continue;
      findings.push(...scanSource(path, readFileSync(join(repositoryRoot, path), 'utf8')));
    }
    expect(findings, formatFindings(findings)).toEqual([]);
  });

  it('scans a non-trivial set of files, including invariants/', () => {
    const files = sourceFiles();
    expect(files.length).toBeGreaterThan(10);
    expect(files).toContain('src/core/random.ts');
    expect(files.some((path) => path.startsWith('invariants/'))).toBe(true);
  });

  it('has an allowlist whose entries all exist on disk', () => {
    const files = new Set(sourceFiles());
    const stale = ALLOWLIST.map((entry) => entry.path).filter((path) => !files.has(path));
    expect(stale, `allowlisted files not found under ${SCANNED_FOLDERS.join(', ')}: ${stale.join(', ')}`).toEqual([]);
  });

  it('has an allowlist of exactly src/core/wallClock.ts, with a one-line reason for each entry', () => {
    expect(ALLOWLIST.map((entry) => entry.path)).toEqual(['src/core/wallClock.ts']);
    for (const entry of ALLOWLIST) {
      expect(entry.reason.trim().length).toBeGreaterThan(0);
      expect(entry.reason).not.toContain('\n');
    }
  });

  it('has an allowlist whose entries still read ambient time or randomness, so none is kept needlessly', () => {
    for (const entry of ALLOWLIST) {
      const findings = scanSource(entry.path, readFileSync(join(repositoryRoot, entry.path), 'utf8'));
      expect(findings.length, `${entry.path} no longer needs its allowlist entry`).toBeGreaterThan(0);
    }
  });
});

describe('the determinism scanner', () => {
  it('reports Math.random() with its file, line and pattern', () => {
    const source = 'const a = 1;\nconst b = Math.random();\n';
    expect(scanSource('src/example.ts', source)).toEqual([{ path: 'src/example.ts', line: 2, pattern: 'Math.random' }]);
  });

  it('does not report Math.random mentioned in a line comment', () => {
    expect(scanSource('src/example.ts', 'const a = 1; // never Math.random() here\n')).toEqual([]);
  });

  it('does not report Math.random mentioned in a block comment, and keeps later line numbers right', () => {
    const source = '/*\n * Math.random and Date.now are banned.\n */\nconst b = Date.now();\n';
    expect(scanSource('src/example.ts', source)).toEqual([{ path: 'src/example.ts', line: 4, pattern: 'Date.now' }]);
  });

  it('does not take // inside a string for a comment', () => {
    const source = "const url = 'https://example.com'; const t = performance.now();\n";
    expect(scanSource('src/example.ts', source).map((finding) => finding.pattern)).toEqual(['performance.now']);
  });

  it('reports every forbidden pattern', () => {
    const cases: readonly [string, string][] = [
      ['Math.random()', 'Math.random'],
      ['Date.now()', 'Date.now'],
      ['new Date()', 'new Date('],
      ['performance.now()', 'performance.now'],
      ['setTimeout(f, 1)', 'setTimeout'],
      ['setInterval(f, 1)', 'setInterval'],
      ['setImmediate(f)', 'setImmediate'],
      ['crypto.randomBytes(8)', 'crypto randomBytes'],
      ['crypto.randomUUID()', 'crypto randomUUID'],
      ['crypto.getRandomValues(buffer)', 'crypto getRandomValues'],
      ['randomInt(10)', 'crypto randomInt'],
      ['process.hrtime.bigint()', 'process.hrtime'],
      ["import { performance } from 'node:perf_hooks';", "import of 'perf_hooks'"],
      ['import { performance } from "perf_hooks";', "import of 'perf_hooks'"],
    ];
    for (const [code, pattern] of cases) {
      expect(scanSource('src/example.ts', `${code}\n`).map((finding) => finding.pattern), code).toEqual([pattern]);
    }
  });

  it('does not report identifiers that only contain a forbidden name', () => {
    const source = 'const myMath = { randomized: 1 }; const updateDate = 2; const delayMs = random.integer("network", 1, 5);\n';
    expect(scanSource('src/example.ts', source)).toEqual([]);
  });

  it('walks nested folders of src/ and invariants/ only, and names files relative to the root', () => {
    const root = mkdtempSync(join(tmpdir(), 'raftcheck-scan-'));
    try {
      const write = (path: string, text: string): void => {
        mkdirSync(join(root, path, '..'), { recursive: true });
        writeFileSync(join(root, path), text);
      };
      write('src/cli/run.ts', 'export const startedMs = Date.now();\n');
      write('invariants/deep/nested/check.ts', 'export const x = 1;\n');
      write('src/notes.md', 'Math.random\n');
      write('test/ignored.ts', 'Math.random();\n');
      const files = sourceFiles(root);
      expect(files).toEqual(['invariants/deep/nested/check.ts', 'src/cli/run.ts']);
      expect(scanSource(files[1], readFileSync(join(root, files[1]), 'utf8'))).toEqual([
        { path: 'src/cli/run.ts', line: 1, pattern: 'Date.now' },
      ]);
    } finally {
      rmSync(root, { recursive: true, force: true });
    }
  });

  it('names each offending file, line number and pattern in its failure message', () => {
    const message = formatFindings([
      { path: 'src/cli/run.ts', line: 12, pattern: 'Date.now' },
      { path: 'src/report/console.ts', line: 3, pattern: 'performance.now' },
    ]);
    expect(message).toContain('src/cli/run.ts:12: Date.now');
    expect(message).toContain('src/report/console.ts:3: performance.now');
  });
});
