import fs from 'node:fs';
import path from 'node:path';
import { MuscodeError } from '../errors.js';
import { fileLocation } from '../projects/paths.js';
import { SYNC_TEMP_PREFIX, type WorkspaceDir } from './dir-io.js';

/**
 * What of a workspace directory goes to the database (docs/workspaces.md "Sync rules"): regular
 * files with valid names, outside the ignore list. Symbolic links, devices, FIFOs and sockets are
 * skipped, never followed.
 */

/** Directories never synced: caches, dependencies, build outputs, version control. */
export const IGNORED_DIRS = new Set([
  '__pycache__',
  'node_modules',
  '.git',
  '.hg',
  '.svn',
  '.cache',
  '.venv',
  'venv',
  '.mypy_cache',
  '.pytest_cache',
  '.ipynb_checkpoints',
  '.ruff_cache',
  'build',
  'dist',
  'target',
  'out',
  '.gradle',
  '.npm',
  '.local',
  '.config',
]);

/** Files never synced: compiled objects and the shell's and tools' own state. */
const IGNORED_FILE = /\.(pyc|pyo|o|obj|so|a|class)$|^\.(bash_history|python_history|node_repl_history|lesshst|viminfo|wget-hsts|sqlite_history)$|\.sw[op]$|~$/;

export function isIgnored(name: string, isDir: boolean): boolean {
  if (name.startsWith(SYNC_TEMP_PREFIX)) return true;
  return isDir ? IGNORED_DIRS.has(name) : IGNORED_FILE.test(name);
}

export interface ScannedFile {
  /** "src/a.py" (the engine path). */
  rel: string;
  dir: string;
  name: string;
  size: number;
  /** Cheap change signature: size, mtime (ns) and inode. */
  sig: string;
}

export interface ScanResult {
  files: Map<string, ScannedFile>;
  /** Directories seen (for the watchers), relative, "" for the root. */
  dirs: string[];
  /** Names that cannot be project files (invalid UTF-8, a newline, reserved...): reported, not synced. */
  skipped: { rel: string; reason: string }[];
}

const MAX_ENTRIES = 20_000;
const MAX_DEPTH = 16;

export function scanWorkspace(ws: WorkspaceDir): ScanResult {
  const out: ScanResult = { files: new Map(), dirs: [], skipped: [] };
  let entries = 0;
  const walk = (relDir: string, depth: number): void => {
    out.dirs.push(relDir);
    let list: fs.Dirent<Buffer>[];
    try {
      list = fs.readdirSync(path.join(ws.dir, relDir), { withFileTypes: true, encoding: 'buffer' });
    } catch {
      return;
    }
    for (const ent of list) {
      if (++entries > MAX_ENTRIES) return;
      const raw = ent.name;
      const name = raw.toString('utf8');
      const rel = relDir ? `${relDir}/${name}` : name;
      // Invalid UTF-8 does not survive the round trip: such a name cannot be stored as text.
      if (!Buffer.from(name, 'utf8').equals(raw)) {
        out.skipped.push({ rel: `${relDir ? `${relDir}/` : ''}${raw.toString('latin1')}`, reason: 'the name is not valid UTF-8' });
        continue;
      }
      if (ent.isSymbolicLink()) continue;
      if (ent.isDirectory()) {
        if (isIgnored(name, true)) continue;
        if (depth >= MAX_DEPTH) {
          out.skipped.push({ rel, reason: 'too deep' });
          continue;
        }
        walk(rel, depth + 1);
        continue;
      }
      if (!ent.isFile() || isIgnored(name, false)) continue;
      let loc: { path: string; name: string; enginePath: string };
      try {
        loc = fileLocation(relDir ? `/${relDir}` : '/', name);
      } catch (err) {
        out.skipped.push({ rel, reason: err instanceof MuscodeError ? err.message : String(err) });
        continue;
      }
      let st: fs.BigIntStats;
      try {
        st = fs.lstatSync(path.join(ws.dir, rel), { bigint: true });
      } catch {
        continue;
      }
      if (!st.isFile()) continue;
      out.files.set(loc.enginePath, { rel, dir: loc.path, name: loc.name, size: Number(st.size), sig: `${st.size}:${st.mtimeNs}:${st.ino}` });
    }
  };
  walk('', 0);
  return out;
}

/** Text if the bytes are UTF-8 without NUL (what a project file holds), else base64. */
export function encodeContent(bytes: Buffer): { content: string; encoding: 'utf8' | 'base64' } {
  const text = bytes.toString('utf8');
  if (!text.includes('\0') && !text.includes('\uFFFD') && Buffer.byteLength(text) === bytes.length) return { content: text, encoding: 'utf8' };
  if (!text.includes('\0') && Buffer.from(text, 'utf8').equals(bytes)) return { content: text, encoding: 'utf8' };
  return { content: bytes.toString('base64'), encoding: 'base64' };
}

export function decodeContent(content: string, encoding: string): Buffer {
  return encoding === 'base64' ? Buffer.from(content, 'base64') : Buffer.from(content, 'utf8');
}
