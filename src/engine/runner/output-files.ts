/**
 * Output files (artifacts): after the run, the box's files that match the request's globs are
 * read back, bounded in count and size. The box belongs to the program, so everything in it is
 * hostile: links are listed with lstat and never followed (a symlink to /etc/passwd is refused
 * by name), FIFOs and devices are never opened, and the read itself is O_NOFOLLOW with an inode
 * check (readBoxFile).
 */
import { CallerError, ErrorCodes } from '../../errors.js';
import type { SandboxSlot } from '../sandbox/sandbox.js';
import {
  OUTPUT_FILE_BYTES,
  OUTPUT_FILES_MAX,
  OUTPUT_PATTERNS_MAX,
  OUTPUT_TOTAL_BYTES,
  type OutputFile,
  type RefusedOutputFile,
} from '../types.js';

/** Entries looked at in a box, at most: a program that leaves a million files costs a bounded walk. */
const LIST_MAX = 10_000;

/** Checks the globs of a request: relative, no "..", bounded. Returns them compiled. */
export function compileOutputGlobs(patterns: readonly unknown[] | undefined): RegExp[] {
  const list = patterns ?? [];
  if (!Array.isArray(list)) throw new CallerError(ErrorCodes.invalidPath, 'outputFiles must be a list of globs');
  if (list.length > OUTPUT_PATTERNS_MAX) {
    throw new CallerError(ErrorCodes.tooManyFiles, `${list.length} output file patterns is more than ${OUTPUT_PATTERNS_MAX}`, { max: OUTPUT_PATTERNS_MAX });
  }
  return list.map((p) => {
    const glob = String(p);
    if (glob === '' || glob.length > 256 || glob.includes('\0') || glob.startsWith('/') || glob.split('/').some((part) => part === '..' || part === '.' || part === '')) {
      throw new CallerError(ErrorCodes.invalidPath, `output file pattern ${JSON.stringify(glob)}: a relative glob such as "*.png" or "out/*.csv"`, { path: glob });
    }
    return globToRegExp(glob);
  });
}

/** `*` and `?` stay within one path segment; `**` as a whole segment spans any number of them. */
export function globToRegExp(glob: string): RegExp {
  const parts = glob.split('/').map((seg) => {
    if (seg === '**') return '(?:[^/]+/)*';
    const body = seg.replace(/[.+^${}()|[\]\\*?]/g, (c) => (c === '*' ? '[^/]*' : c === '?' ? '[^/]' : `\\${c}`));
    return `${body}/`;
  });
  const re = parts.join('').replace(/\/$/, '');
  return new RegExp(`^${re}$`);
}

/** The matched files of the box, read back, and the refused ones by name. */
export function gatherOutputFiles(slot: SandboxSlot, globs: readonly RegExp[]): { files: OutputFile[]; refused: RefusedOutputFile[] } {
  const files: OutputFile[] = [];
  const refused: RefusedOutputFile[] = [];
  let total = 0;
  for (const entry of slot.list(LIST_MAX)) {
    if (!globs.some((g) => g.test(entry.path))) continue;
    const name = entry.path;
    if (entry.kind === 'symlink') refused.push({ name, reason: 'symlink' });
    else if (entry.kind !== 'file') refused.push({ name, reason: 'not_regular_file' });
    else if (entry.size > OUTPUT_FILE_BYTES) refused.push({ name, reason: 'too_large' });
    else if (files.length >= OUTPUT_FILES_MAX) refused.push({ name, reason: 'too_many' });
    else if (total + entry.size > OUTPUT_TOTAL_BYTES) refused.push({ name, reason: 'total_too_large' });
    else {
      // One byte more than allowed: a file that grew since it was listed is caught, not cut.
      const content = slot.readFile(name, OUTPUT_FILE_BYTES + 1);
      if (content === null) refused.push({ name, reason: 'not_regular_file' });
      else if (content.length > OUTPUT_FILE_BYTES) refused.push({ name, reason: 'too_large' });
      else if (total + content.length > OUTPUT_TOTAL_BYTES) refused.push({ name, reason: 'total_too_large' });
      else {
        total += content.length;
        files.push({ name, size: content.length, type: mediaType(name), content });
      }
    }
  }
  return { files, refused };
}

const TYPES: Record<string, string> = {
  png: 'image/png',
  jpg: 'image/jpeg',
  jpeg: 'image/jpeg',
  gif: 'image/gif',
  webp: 'image/webp',
  bmp: 'image/bmp',
  // SVG is returned as data; a viewer must show it as an image (never inline HTML): see docs/api.md.
  svg: 'image/svg+xml',
  txt: 'text/plain',
  csv: 'text/csv',
  tsv: 'text/tab-separated-values',
  json: 'application/json',
  html: 'text/html',
  md: 'text/markdown',
  pdf: 'application/pdf',
  zip: 'application/zip',
  wav: 'audio/wav',
  ppm: 'image/x-portable-pixmap',
  pgm: 'image/x-portable-graymap',
};

export function mediaType(name: string): string {
  const ext = /\.([^./]+)$/.exec(name)?.[1]?.toLowerCase();
  return (ext && TYPES[ext]) || 'application/octet-stream';
}
