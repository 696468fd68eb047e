import { randomBytes } from 'node:crypto';
import fs from 'node:fs';
import path from 'node:path';
import { CallerError, ErrorCodes } from '../errors.js';

/**
 * The server's access to a running workspace's directory. The directory belongs to the
 * workspace's (hostile) processes, and the server acts on it as root, so nothing here follows a
 * symbolic link out of it (the lesson of Judge0's CVE-2024-28185/28189):
 *   - reading opens with O_NOFOLLOW and then checks that what it opened is a regular file on the
 *     workspace's own tmpfs (same st_dev): a directory swapped for a link to a host path between
 *     the scan and the open lands on another device and is refused;
 *   - writing creates a fresh file in the tmpfs root (O_EXCL|O_NOFOLLOW), then rename()s it into
 *     place: a rename never follows the last component, and one through a linked directory to
 *     the host fails with EXDEV;
 *   - deleting renames the target into the root first (EXDEV again), then removes it there.
 * Directories on the way are checked with lstat and created as the workspace's uid.
 */
export interface WorkspaceDir {
  /** Host path of /workspace. */
  readonly dir: string;
  readonly dev: number;
  readonly uid: number;
}

/** Temporary names of the server's own writes; the scan ignores them. */
export const SYNC_TEMP_PREFIX = '.muscode-sync-';

function refuse(rel: string, why: string): never {
  throw new CallerError(ErrorCodes.invalidPath, `${rel}: ${why}`, { path: rel });
}

/** Reads a regular file of the workspace without following links; null if it is not one (any more). */
export function readWorkspaceFile(ws: WorkspaceDir, rel: string, maxBytes: number): Buffer | null | 'too-large' {
  let fd: number;
  try {
    fd = fs.openSync(path.join(ws.dir, rel), fs.constants.O_RDONLY | fs.constants.O_NOFOLLOW | fs.constants.O_NONBLOCK);
  } catch {
    return null;
  }
  try {
    const st = fs.fstatSync(fd);
    if (!st.isFile() || st.dev !== ws.dev) return null;
    if (st.size > maxBytes) return 'too-large';
    const buf = Buffer.allocUnsafe(st.size);
    let off = 0;
    while (off < st.size) {
      const n = fs.readSync(fd, buf, off, st.size - off, off);
      if (n === 0) break;
      off += n;
    }
    return buf.subarray(0, off);
  } finally {
    fs.closeSync(fd);
  }
}

/** Makes the directories of `rel` (owned by the workspace uid), refusing anything that is not a real directory on the way. */
function ensureParents(ws: WorkspaceDir, rel: string): void {
  const parts = rel.split('/').slice(0, -1);
  let cur = ws.dir;
  for (const part of parts) {
    cur = path.join(cur, part);
    let st: fs.Stats | null = null;
    try {
      st = fs.lstatSync(cur);
    } catch {
      fs.mkdirSync(cur, { mode: 0o755 });
      fs.lchownSync(cur, ws.uid, ws.uid);
      st = fs.lstatSync(cur);
    }
    if (!st.isDirectory() || st.dev !== ws.dev) refuse(rel, `${path.relative(ws.dir, cur)} is not a directory in the workspace`);
  }
}

/** Writes `rel` as the editor saved it (owned by the workspace uid, 0644). */
export function writeWorkspaceFile(ws: WorkspaceDir, rel: string, content: Buffer): void {
  ensureParents(ws, rel);
  const tmp = path.join(ws.dir, `${SYNC_TEMP_PREFIX}${randomBytes(8).toString('hex')}`);
  const fd = fs.openSync(tmp, fs.constants.O_WRONLY | fs.constants.O_CREAT | fs.constants.O_EXCL | fs.constants.O_NOFOLLOW, 0o644);
  try {
    fs.writeSync(fd, content);
    fs.fchownSync(fd, ws.uid, ws.uid);
  } finally {
    fs.closeSync(fd);
  }
  try {
    fs.renameSync(tmp, path.join(ws.dir, rel));
  } catch (err) {
    fs.rmSync(tmp, { force: true });
    const code = (err as NodeJS.ErrnoException).code;
    if (code === 'EXDEV' || code === 'EISDIR' || code === 'ENOTDIR' || code === 'ENOTEMPTY') refuse(rel, `cannot be written (${code})`);
    throw err;
  }
}

/** Removes `rel` (a file, or a directory with its contents) without following links out of the workspace. */
export function removeWorkspacePath(ws: WorkspaceDir, rel: string): void {
  const trash = path.join(ws.dir, `${SYNC_TEMP_PREFIX}trash-${randomBytes(8).toString('hex')}`);
  try {
    fs.renameSync(path.join(ws.dir, rel), trash);
  } catch (err) {
    const code = (err as NodeJS.ErrnoException).code;
    if (code === 'ENOENT') return;
    if (code === 'EXDEV') refuse(rel, 'is not in the workspace');
    throw err;
  }
  // fs.rm does not follow links inside the tree (it unlinks them).
  fs.rmSync(trash, { recursive: true, force: true });
}
