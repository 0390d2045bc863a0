// What git tracks: sources, not build outputs. No executable binary (ELF, Mach-O, PE, wasm) and
// no file over 1 MB is committed, and the README's layout table names every top-level folder,
// every folder of src/ and every doc, and nothing that does not exist.

import { execFileSync } from 'node:child_process';
import { closeSync, existsSync, openSync, readFileSync, readSync, statSync } from 'node:fs';
import { join } from 'node:path';
import { describe, expect, it } from 'vitest';
import { root } from '../support/cli.js';

const trackedBytesMax = 1024 * 1024;

/** Leading bytes of executable formats: ELF, Mach-O (both byte orders, 32/64-bit, fat), PE/COFF, WebAssembly. */
const executableMagics: readonly { format: string; bytes: readonly number[] }[] = [
  { format: 'ELF', bytes: [0x7f, 0x45, 0x4c, 0x46] },
  { format: 'Mach-O', bytes: [0xfe, 0xed, 0xfa, 0xce] },
  { format: 'Mach-O', bytes: [0xfe, 0xed, 0xfa, 0xcf] },
  { format: 'Mach-O', bytes: [0xce, 0xfa, 0xed, 0xfe] },
  { format: 'Mach-O', bytes: [0xcf, 0xfa, 0xed, 0xfe] },
  { format: 'Mach-O universal', bytes: [0xca, 0xfe, 0xba, 0xbe] },
  { format: 'PE', bytes: [0x4d, 0x5a] },
  { format: 'WebAssembly', bytes: [0x00, 0x61, 0x73, 0x6d] },
];

/** The format whose magic the bytes start with, or null. */
export function executableFormatOf(head: Uint8Array): string | null {
  const match = executableMagics.find((magic) => magic.bytes.length <= head.length && magic.bytes.every((byte, index) => head[index] === byte));
  return match?.format ?? null;
}

function trackedFiles(): string[] {
  const listing = execFileSync('git', ['ls-files', '-z'], { cwd: root, encoding: 'utf8' });
  return listing.split('\0').filter((path) => path !== '' && existsSync(join(root, path)));
}

function headOf(path: string): Uint8Array {
  const head = new Uint8Array(4);
  const descriptor = openSync(path, 'r');
  try {
    const read = readSync(descriptor, head, 0, head.length, 0);
    return head.subarray(0, read);
  } finally {
    closeSync(descriptor);
  }
}

/** The first-column paths of README's "## Layout" table. */
export function layoutPaths(readme: string): string[] {
  const section = readme.split(/^## /m).find((part) => part.startsWith('Layout\n'));
  if (section === undefined) return [];
  return [...section.matchAll(/^\| `([^`]+)` \|/gm)].map((match) => match[1]);
}

describe('the files git tracks', () => {
  const files = trackedFiles();

  it('include no executable binary', () => {
    const binaries = files.flatMap((path) => {
      const format = executableFormatOf(headOf(join(root, path)));
      return format === null ? [] : [`${path} (${format})`];
    });
    expect(binaries).toEqual([]);
  });

  it('include no file over 1 MB', () => {
    const large = files.filter((path) => statSync(join(root, path)).size > trackedBytesMax).map((path) => `${path} (${statSync(join(root, path)).size} bytes)`);
    expect(large).toEqual([]);
  });

  it('recognise the executable formats by their leading bytes, and text as none of them', () => {
    expect(executableFormatOf(Uint8Array.from([0x7f, 0x45, 0x4c, 0x46, 2]))).toBe('ELF');
    expect(executableFormatOf(Uint8Array.from([0xcf, 0xfa, 0xed, 0xfe]))).toBe('Mach-O');
    expect(executableFormatOf(Uint8Array.from([0x4d, 0x5a, 0x90, 0x00]))).toBe('PE');
    expect(executableFormatOf(Uint8Array.from([0x00, 0x61, 0x73, 0x6d]))).toBe('WebAssembly');
    expect(executableFormatOf(new TextEncoder().encode('// a'))).toBeNull();
    expect(executableFormatOf(new Uint8Array(0))).toBeNull();
  });
});

describe("README's layout table", () => {
  const files = trackedFiles();
  const named = layoutPaths(readFileSync(join(root, 'README.md'), 'utf8'));

  it('names every top-level folder git tracks', () => {
    const folders = [...new Set(files.filter((path) => path.includes('/')).map((path) => `${path.split('/')[0]}/`))];
    expect(folders.filter((folder) => !named.includes(folder)).map((folder) => `${folder} is not in the table`)).toEqual([]);
  });

  it('names every folder of src/', () => {
    const folders = [...new Set(files.filter((path) => /^src\/[^/]+\//.test(path)).map((path) => `${path.split('/').slice(0, 2).join('/')}/`))];
    expect(folders.filter((folder) => !named.includes(folder)).map((folder) => `${folder} is not in the table`)).toEqual([]);
  });

  it('names every doc in docs/', () => {
    const docs = files.filter((path) => /^docs\/[^/]+\.md$/.test(path));
    expect(docs.filter((doc) => !named.includes(doc)).map((doc) => `${doc} is not in the table`)).toEqual([]);
  });

  it('names only paths git tracks', () => {
    const stale = named.filter((path) => !files.some((file) => file === path || file.startsWith(path.endsWith('/') ? path : `${path}/`)));
    expect(stale.map((path) => `${path} is in the table but not in git`)).toEqual([]);
  });
});
