import fs from 'node:fs';
import path from 'node:path';
import { CallerError, ErrorCodes } from '../../errors.js';

/**
 * Host-side file handling of a box. The host runs as root, and a box may hold whatever a
 * program planted there: symlinks to /etc/shadow, hard links, FIFOs, directories swapped for
 * links. So the host never follows a path inside the box: files are created with O_EXCL and
 * O_NOFOLLOW, read with O_NOFOLLOW after lstat and checked again with fstat (same inode, regular
 * file), and removed without following. Reading or clearing happens only once the stage's
 * cgroup is empty, so nothing can swap entries under our feet (Judge0 CVE-2024-28185/-28189).
 */

const { O_WRONLY, O_CREAT, O_EXCL, O_NOFOLLOW, O_RDONLY, O_NONBLOCK } = fs.constants;

/** A file path a user may give: relative, "/"-separated, no "..", no NUL, no control characters. */
export function validateRelativePath(p: string): string {
  const fail = (why: string) => {
    throw new CallerError(ErrorCodes.invalidPath, `invalid file path ${JSON.stringify(p)}: ${why}`, { path: p });
  };
  if (typeof p !== 'string' || p.length === 0) fail('empty');
  if (p.length > 255) fail('longer than 255 characters');
  if (p.includes('\0')) fail('contains a NUL byte');
  // eslint-disable-next-line no-control-regex
  if (/[\x00-\x1f\x7f]/.test(p)) fail('contains a control character');
  if (p.startsWith('/')) fail('absolute paths are not allowed');
  if (p.includes('\\')) fail('backslashes are not allowed');
  const parts = p.split('/');
  for (const part of parts) {
    if (part === '' || part === '.') fail('empty or "." component');
    if (part === '..') fail('".." is not allowed');
    // A leading "-" would be read as an option, a leading "@" as a response file ("read more
    // options from this file": gcc, javac, rustc, tsc, the java launcher) by the toolchains it
    // is passed to. expandArgv also passes names as "./name"; this is the second wall.
    if (part.startsWith('-')) fail('a component starts with "-"');
    if (part.startsWith('@')) fail('a component starts with "@"');
    if (Buffer.byteLength(part) > 200) fail('a component is longer than 200 bytes');
  }
  if (parts.length > 16) fail('more than 16 directory levels');
  return parts.join('/');
}

export interface BoxFile {
  path: string;
  data: Buffer;
  mode: number;
}

/** Writes files into an empty box, owned by the slot uid. Parent directories are created. */
export function writeBoxFiles(box: string, files: readonly BoxFile[], uid: number): void {
  const madeDirs = new Set<string>();
  for (const f of files) {
    const rel = validateRelativePath(f.path);
    const parts = rel.split('/');
    let dir = box;
    for (const part of parts.slice(0, -1)) {
      dir = path.join(dir, part);
      if (madeDirs.has(dir)) continue;
      try {
        fs.mkdirSync(dir, { mode: 0o755 });
        fs.chownSync(dir, uid, uid);
      } catch (err) {
        if ((err as NodeJS.ErrnoException).code !== 'EEXIST') throw err;
        if (!fs.lstatSync(dir).isDirectory()) {
          throw new CallerError(ErrorCodes.invalidPath, `${rel}: a parent is a file`, { path: rel });
        }
      }
      madeDirs.add(dir);
    }
    let fd: number;
    try {
      fd = fs.openSync(path.join(box, rel), O_WRONLY | O_CREAT | O_EXCL | O_NOFOLLOW, f.mode);
    } catch (err) {
      if ((err as NodeJS.ErrnoException).code === 'EEXIST' || (err as NodeJS.ErrnoException).code === 'EISDIR') {
        throw new CallerError(ErrorCodes.duplicateFile, `${rel} is given twice or clashes with a directory`, { path: rel });
      }
      throw err;
    }
    try {
      fs.writeSync(fd, f.data);
      fs.fchownSync(fd, uid, uid);
      fs.fchmodSync(fd, f.mode);
    } finally {
      fs.closeSync(fd);
    }
  }
}

/**
 * Reads every regular file of a box (after a compile stage) without following anything.
 * Symlinks, devices, FIFOs and sockets are skipped; so is anything that changed between lstat
 * and open. Bounded by `maxBytes` in total.
 */
export function snapshotBox(box: string, maxBytes: number): BoxFile[] {
  const out: BoxFile[] = [];
  let total = 0;
  const walk = (dir: string, rel: string, depth: number) => {
    if (depth > 32) return;
    for (const name of fs.readdirSync(dir)) {
      const full = path.join(dir, name);
      const relPath = rel ? `${rel}/${name}` : name;
      let st: fs.Stats;
      try {
        st = fs.lstatSync(full);
      } catch {
        continue; // a name that is not UTF-8 (mangled by readdir): not an artifact we can name
      }
      if (st.isDirectory()) {
        walk(full, relPath, depth + 1);
        continue;
      }
      if (!st.isFile()) continue;
      let fd: number;
      try {
        fd = fs.openSync(full, O_RDONLY | O_NOFOLLOW | O_NONBLOCK);
      } catch {
        continue;
      }
      try {
        const fst = fs.fstatSync(fd);
        if (!fst.isFile() || fst.ino !== st.ino || fst.dev !== st.dev) continue;
        total += fst.size;
        if (total > maxBytes) throw new Error(`compiled artifacts exceed ${maxBytes} bytes`);
        const data = Buffer.alloc(fst.size);
        let off = 0;
        while (off < data.length) {
          const n = fs.readSync(fd, data, off, data.length - off, off);
          if (n === 0) break;
          off += n;
        }
        out.push({ path: relPath, data: data.subarray(0, off), mode: fst.mode & 0o755 });
      } finally {
        fs.closeSync(fd);
      }
    }
  };
  walk(box, '', 0);
  return out;
}

/**
 * Empties a box without following links (rm's recursive walk uses lstat and unlinks links).
 * Names are handled as bytes: a program may create names that are not UTF-8, which as strings
 * would be mangled, silently not removed, and seen by the next run. Throws when something is
 * left (e.g. a tree deeper than PATH_MAX); the caller then replaces the whole box.
 */
export function clearBox(box: string): void {
  const prefix = Buffer.from(box.endsWith('/') ? box : `${box}/`);
  for (const name of fs.readdirSync(box, { encoding: 'buffer' })) {
    fs.rmSync(Buffer.concat([prefix, name]), { recursive: true, force: true, maxRetries: 0 });
  }
  const left = fs.readdirSync(box, { encoding: 'buffer' }).length;
  if (left) throw new Error(`${left} entries left in ${box}`);
}

/** Every component of `rel` under `box` that exists must be a real directory (not a link). */
function checkParents(box: string, rel: string): boolean {
  let dir = box;
  for (const part of rel.split('/').slice(0, -1)) {
    dir = path.join(dir, part);
    try {
      if (!fs.lstatSync(dir).isDirectory()) return false;
    } catch {
      return false;
    }
  }
  return true;
}

/** One entry of a box as lstat sees it (links are never followed). */
export interface BoxEntry {
  path: string;
  kind: 'file' | 'symlink' | 'other';
  size: number;
}

/**
 * The box's entries but directories, at most `maxEntries`, without following any link (a
 * symlinked directory is listed as a symlink, never entered). For output files: call only
 * after a stage ended, when nothing in the box moves any more.
 */
export function listBox(box: string, maxEntries: number): BoxEntry[] {
  const out: BoxEntry[] = [];
  const walk = (dir: string, rel: string, depth: number) => {
    if (depth > 32) return;
    let names: string[];
    try {
      names = fs.readdirSync(dir).sort();
    } catch {
      return;
    }
    for (const name of names) {
      if (out.length >= maxEntries) return;
      const full = path.join(dir, name);
      const relPath = rel ? `${rel}/${name}` : name;
      let st: fs.Stats;
      try {
        st = fs.lstatSync(full);
      } catch {
        continue;
      }
      if (st.isDirectory()) walk(full, relPath, depth + 1);
      else out.push({ path: relPath, kind: st.isFile() ? 'file' : st.isSymbolicLink() ? 'symlink' : 'other', size: st.size });
    }
  };
  walk(box, '', 0);
  return out;
}

/** Creates empty directories (and their parents) in a box, owned by the slot uid. */
export function makeBoxDirs(box: string, dirs: readonly string[], uid: number): void {
  for (const d of dirs) {
    let dir = box;
    for (const part of validateRelativePath(d).split('/')) {
      dir = path.join(dir, part);
      try {
        fs.mkdirSync(dir, { mode: 0o755 });
        fs.chownSync(dir, uid, uid);
      } catch (err) {
        if ((err as NodeJS.ErrnoException).code !== 'EEXIST') throw err;
        if (!fs.lstatSync(dir).isDirectory()) throw new CallerError(ErrorCodes.invalidPath, `${d}: a parent is a file`, { path: d });
      }
    }
  }
}

/**
 * One regular file of a box after its stage ended, or null when it is absent, not a regular
 * file, reached through a link anywhere on its path, or larger than `maxBytes` (then cut there:
 * the caller reads feedback files, whose size the program chose).
 */
export function readBoxFile(box: string, rel: string, maxBytes: number): Buffer | null {
  const p = validateRelativePath(rel);
  if (!checkParents(box, p)) return null;
  const full = path.join(box, p);
  let st: fs.Stats;
  try {
    st = fs.lstatSync(full);
  } catch {
    return null;
  }
  if (!st.isFile()) return null;
  let fd: number;
  try {
    fd = fs.openSync(full, O_RDONLY | O_NOFOLLOW | O_NONBLOCK);
  } catch {
    return null;
  }
  try {
    const fst = fs.fstatSync(fd);
    if (!fst.isFile() || fst.ino !== st.ino || fst.dev !== st.dev) return null;
    const data = Buffer.alloc(Math.min(fst.size, maxBytes));
    let off = 0;
    while (off < data.length) {
      const n = fs.readSync(fd, data, off, data.length - off, off);
      if (n === 0) break;
      off += n;
    }
    return data.subarray(0, off);
  } finally {
    fs.closeSync(fd);
  }
}
