// Files in and out, with the user's mistakes as clear one-line errors: a path that is a folder,
// missing, unwritable or under a file is a FileError that names the path and the reason (the
// CLI exits with code 2), never a stack trace. Output never leaves a half-written file: write to
// a temporary file beside the target, then rename over it (atomic on POSIX file systems); a
// failed write removes its temporary file.

import { accessSync, constants, mkdirSync, readFileSync, renameSync, rmSync, statSync, writeFileSync } from 'node:fs';
import type { Stats } from 'node:fs';
import { dirname, resolve } from 'node:path';

/** A file or folder that cannot be read or written, for a reason of the user's file system. */
export class FileError extends Error {
  override name = 'FileError';
}

/** The reason an fs call failed, in words. */
export function fileProblem(error: unknown): string {
  const code = (error as NodeJS.ErrnoException).code;
  const words: Record<string, string> = {
    ENOENT: 'no such file or folder',
    EISDIR: 'it is a folder, not a file',
    ENOTDIR: 'a part of the path is not a folder',
    EACCES: 'permission denied',
    EPERM: 'operation not permitted',
    EROFS: 'read-only file system',
    ENOSPC: 'no space left on the device',
    EDQUOT: 'disk quota exceeded',
    ENAMETOOLONG: 'the name is too long',
    ELOOP: 'too many symbolic links',
  };
  return (code !== undefined ? words[code] : undefined) ?? (error instanceof Error ? error.message : String(error));
}

function statOf(path: string): Stats | null {
  try {
    return statSync(path);
  } catch {
    return null;
  }
}

/** Reads a text file; a missing file, a folder or an unreadable file is a message naming `what` and the path. */
export function readTextFile(path: string, what: string, bytesMax = Number.POSITIVE_INFINITY): { ok: true; text: string } | { ok: false; message: string } {
  const stats = statOf(path);
  if (stats === null) return { ok: false, message: `${what} ${path} does not exist` };
  if (stats.isDirectory()) return { ok: false, message: `${what} ${path} is a folder, not a file` };
  if (stats.size > bytesMax) return { ok: false, message: `${what} ${path} is ${stats.size} bytes, over the ${bytesMax}-byte limit` };
  try {
    return { ok: true, text: readFileSync(path, 'utf8') };
  } catch (error) {
    return { ok: false, message: `${what} ${path} cannot be read: ${fileProblem(error)}` };
  }
}

/** The nearest folder at or above `path` that exists (or what is there instead), and the folders missing below it. */
function nearestExisting(path: string): { folder: string; stats: Stats | null; missing: string[] } {
  let folder = resolve(path);
  let stats = statOf(folder);
  const missing: string[] = [];
  while (stats === null && dirname(folder) !== folder) {
    missing.unshift(folder);
    folder = dirname(folder);
    stats = statOf(folder);
  }
  return { folder, stats, missing };
}

/** Why a folder cannot be made at `path` and written (the folder, or its nearest existing ancestor, is not a writable folder); null if it can. */
function folderProblem(path: string): string | null {
  const { folder, stats } = nearestExisting(path);
  if (stats !== null && !stats.isDirectory()) return `${folder} is not a folder`;
  try {
    accessSync(folder, constants.W_OK | constants.X_OK);
    return null;
  } catch (error) {
    return `${folder}: ${fileProblem(error)}`;
  }
}

/**
 * Throws a FileError unless a folder can be made at `path` and written. Checks, creates nothing:
 * for a command that writes only at its end, so that a bad --out fails before the work.
 */
export function checkFolderWritable(path: string, subject = `folder ${path}`): void {
  const problem = folderProblem(path);
  if (problem !== null) throw new FileError(`${subject}: ${problem}`);
}

/** Throws a FileError unless a file can be written at `path`: not a folder, in a folder that can be made and written. */
export function checkFileWritable(path: string, subject = `file ${path}`): void {
  if (path.endsWith('/') || statOf(path)?.isDirectory() === true) throw new FileError(`${subject} is a folder: name a file`);
  checkFolderWritable(dirname(path), subject);
}

/**
 * Creates a folder and its missing parents, one level at a time: Node's recursive mkdir names
 * the wrong cause under a file or a device, and never returns where a file system refuses with
 * ENOENT (/proc).
 */
export function makeFolder(path: string, subject = `folder ${path}`): void {
  checkFolderWritable(path, subject);
  for (const folder of nearestExisting(path).missing) {
    try {
      mkdirSync(folder);
    } catch (error) {
      if (statOf(folder)?.isDirectory() === true) continue; // made meanwhile by another process
      throw new FileError(`${subject}: ${folder}: ${fileProblem(error)}`);
    }
  }
}

export function writeFileAtomic(path: string, contents: string): void {
  if (path.endsWith('/') || statOf(path)?.isDirectory() === true) throw new FileError(`file ${path} is a folder: name a file`);
  makeFolder(dirname(path), `file ${path}`);
  const temporary = `${path}.${process.pid}.tmp`;
  try {
    writeFileSync(temporary, contents);
    renameSync(temporary, path);
  } catch (error) {
    rmSync(temporary, { force: true });
    throw new FileError(`file ${path}: ${fileProblem(error)}`);
  }
}

export function writeJsonAtomic(path: string, value: unknown): void {
  writeFileAtomic(path, `${JSON.stringify(value, null, 2)}\n`);
}
