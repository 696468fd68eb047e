import { validateRelativePath } from '../engine/sandbox/box-fs.js';
import { CallerError, ErrorCodes, MuscodeError } from '../errors.js';
import { HttpCodes } from '../server/http-errors.js';

/**
 * Where a project file lives. A file has a directory `path` ("/" or "/src/lib": one form, "/"
 * separators, a leading "/", no trailing "/") and a `name` (one component). The engine sees
 * "src/lib/name". Everything here is refused with a stable code rather than silently "fixed",
 * except the harmless spellings of the same directory ("", "src/", "//src", "./src"), which are
 * normalised, and Unicode, which is stored in NFC so that one name has one spelling.
 *
 * The engine's own rules (src/engine/sandbox/box-fs.ts validateRelativePath) are applied to the
 * full path too, so a file that can be stored can always be run.
 */

const CONTROL = /[\x00-\x1f\x7f]/;
/** "C:" as a first component: a Windows absolute path pasted into the path field. */
const DRIVE = /^[A-Za-z]:$/;
/** The engine's reserved prefix (its init binary and control files live there). */
const RESERVED = '.muscode';

function invalidPath(input: string, why: string): never {
  throw new CallerError(ErrorCodes.invalidPath, `invalid directory path ${JSON.stringify(input)}: ${why}`, { path: input, reason: why });
}

function invalidName(input: string, why: string): never {
  throw new CallerError(HttpCodes.invalidFileName, `invalid file name ${JSON.stringify(input)}: ${why}`, { name: input, reason: why });
}

/** Normalises a directory path to "/" or "/a/b"; throws INVALID_PATH. */
export function normalizeDir(input: string | undefined | null): string {
  if (input === undefined || input === null) return '/';
  const raw = input.normalize('NFC');
  if (raw.includes('\0')) invalidPath(input, 'contains a NUL byte');
  if (CONTROL.test(raw)) invalidPath(input, 'contains a control character');
  if (raw.includes('\\')) invalidPath(input, 'use "/" as the separator (backslashes are not allowed)');
  const parts: string[] = [];
  for (const part of raw.split('/')) {
    if (part === '' || part === '.') continue;
    if (part === '..') invalidPath(input, '".." is not allowed');
    if (parts.length === 0 && DRIVE.test(part)) invalidPath(input, 'a drive letter is not a project directory');
    if (part.startsWith('-')) invalidPath(input, 'a component starts with "-"');
    if (part.startsWith('@')) invalidPath(input, 'a component starts with "@"');
    if (part.trim() !== part || part.trim() === '') invalidPath(input, 'a component starts or ends with a space');
    if (Buffer.byteLength(part) > 200) invalidPath(input, 'a component is longer than 200 bytes');
    parts.push(part);
  }
  if (parts[0]?.startsWith(RESERVED)) invalidPath(input, `"${RESERVED}" is reserved`);
  if (parts.length > 15) invalidPath(input, 'more than 15 directory levels');
  return `/${parts.join('/')}`;
}

/** Checks a file name (one component, as the engine accepts it); throws INVALID_FILE_NAME. */
export function checkName(input: string): string {
  const name = input.normalize('NFC');
  if (name.length === 0) invalidName(input, 'empty');
  if (name.includes('\0')) invalidName(input, 'contains a NUL byte');
  if (CONTROL.test(name)) invalidName(input, 'contains a control character');
  if (name.includes('/') || name.includes('\\')) invalidName(input, 'a name cannot contain "/" or "\\" (use the path field for directories)');
  if (name === '.' || name === '..') invalidName(input, '"." and ".." are not file names');
  if (name.startsWith('-')) invalidName(input, 'starts with "-" (compilers would read it as an option)');
  if (name.startsWith('@')) invalidName(input, 'starts with "@" (compilers would read it as a file of options)');
  if (name.trim() !== name) invalidName(input, 'starts or ends with a space');
  if (Buffer.byteLength(name) > 200) invalidName(input, 'longer than 200 bytes');
  return name;
}

/** The path the engine sees: "main.py" for ("/", "main.py"), "src/a.py" for ("/src", "a.py"). */
export function enginePath(dir: string, name: string): string {
  return dir === '/' ? name : `${dir.slice(1)}/${name}`;
}

/**
 * Normalises and checks a (path, name) pair as a whole: each part by the rules above, and the
 * full path by the engine's own rules (total length, depth, reserved names).
 */
export function fileLocation(path: string | undefined | null, name: string): { path: string; name: string; enginePath: string } {
  const dir = normalizeDir(path);
  const n = checkName(name);
  const full = enginePath(dir, n);
  if (full.startsWith(RESERVED)) invalidName(name, `"${RESERVED}" is reserved`);
  try {
    validateRelativePath(full);
  } catch (err) {
    if (err instanceof MuscodeError) throw new CallerError(ErrorCodes.invalidPath, `invalid file path ${JSON.stringify(full)}: ${err.message}`, { path: full });
    throw err;
  }
  return { path: dir, name: n, enginePath: full };
}

/**
 * Why a file at `candidate` cannot sit next to `existing` (engine paths), or null. The engine
 * compares case-insensitively, and refuses a file that is also a directory of another ("src"
 * and "src/a.py"), so a project must never hold such a pair.
 */
export function clashOf(candidate: string, existing: readonly string[]): { code: string; with: string } | null {
  const c = candidate.toLowerCase();
  for (const e of existing) {
    const x = e.toLowerCase();
    if (x === c) return { code: HttpCodes.fileExists, with: e };
    if (x.startsWith(`${c}/`) || c.startsWith(`${x}/`)) return { code: HttpCodes.pathConflict, with: e };
  }
  return null;
}
