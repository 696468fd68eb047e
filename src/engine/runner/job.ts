import { CallerError, ErrorCodes } from '../../errors.js';
import type { LanguageDefinition } from '../languages/language.js';
import { normalizeSource } from '../languages/pasted-source.js';
import { compileOutputGlobs } from './output-files.js';
import type { LimitTable } from '../limits.js';
import { type BoxFile, validateRelativePath } from '../sandbox/box-fs.js';
import { COLLECT_FILES_MAX, type RunRequest } from '../types.js';

/** A request checked against the limits, ready for the box. Bad input never reaches a sandbox. */
export interface PreparedJob {
  files: BoxFile[];
  /** RunRequest.dataFiles: written to the run box after the compile. */
  dataFiles: BoxFile[];
  mainFile: string;
  /** LanguageDefinition.mainClass's answer for the main file (Kotlin, Scala). */
  mainClass?: string;
  stdin: Buffer;
  args: string[];
  /** RunRequest.compileOptions, checked (absent: none). */
  compileOptions?: string[];
  /** RunRequest.collectFiles, checked. */
  collectFiles: string[];
  /** RunRequest.outputFiles, checked and compiled. */
  outputGlobs: RegExp[];
}

export function prepareJob(req: RunRequest, lang: LanguageDefinition, limits: LimitTable): PreparedJob {
  if (!Array.isArray(req.files) || req.files.length === 0) {
    throw new CallerError(ErrorCodes.emptySource, 'no source files given');
  }
  if (req.files.length > limits.jobFiles) {
    throw new CallerError(ErrorCodes.tooManyFiles, `${req.files.length} files is more than the limit of ${limits.jobFiles}`, {
      max: limits.jobFiles,
    });
  }
  const files: BoxFile[] = [];
  const seen = new Set<string>();
  let total = 0;
  for (const f of req.files) {
    const file = boxFile(f, seen, limits.fileBytes.default);
    total += file.data.length;
    files.push(file);
  }
  if (total > limits.jobBytes) {
    throw new CallerError(ErrorCodes.sourceTooLarge, `sources total ${total} bytes, over the limit of ${limits.jobBytes}`, {
      max: limits.jobBytes,
    });
  }
  // The directory/file clash ("a" and "a/b") is refused here rather than half-written in the box.
  for (const f of files) {
    const parts = f.path.split('/');
    for (let i = 1; i < parts.length; i++) {
      if (seen.has(parts.slice(0, i).join('/').toLowerCase())) {
        throw new CallerError(ErrorCodes.invalidPath, `${f.path}: a parent directory is also given as a file`, { path: f.path });
      }
    }
  }
  const sourceExts = [...lang.extensions, ...(lang.compile?.sourceExtensions ?? [])];
  let mainFile = req.mainFile === undefined ? files[0]!.path : validateRelativePath(req.mainFile);
  for (const f of files) {
    if (f.path === mainFile || sourceExts.some((e) => f.path.toLowerCase().endsWith(e))) f.data = normalizeSource(f.data, lang.shebang ?? 'native');
  }
  // A single pasted file is named as its language requires (a multi-file project keeps its
  // names: there the user chose them). Nothing else has a name yet but data files, checked below.
  if (files.length === 1 && files[0]!.path === mainFile && lang.pasted) {
    const wanted = lang.pasted(files[0]!.data.toString('utf8'));
    const checked = wanted.mainFile === undefined ? undefined : safePath(wanted.mainFile);
    if (checked && checked !== mainFile) {
      seen.delete(mainFile.toLowerCase());
      seen.add(checked.toLowerCase());
      files[0]!.path = checked;
      mainFile = checked;
    }
    for (const extra of wanted.files ?? []) {
      if (seen.has(extra.path.toLowerCase())) continue;
      seen.add(extra.path.toLowerCase());
      files.push({ path: extra.path, data: Buffer.from(extra.content), mode: 0o644 });
    }
  }
  const main = files.find((f) => f.path === mainFile);
  if (!main) throw new CallerError(ErrorCodes.mainFileMissing, `main file ${mainFile} is not among the files`, { mainFile });
  if (main.data.length === 0 || main.data.toString('utf8').trim() === '') {
    throw new CallerError(ErrorCodes.emptySource, `main file ${mainFile} is empty`, { path: mainFile });
  }
  for (const g of lang.generatedFiles ?? []) {
    if (!seen.has(g.path.toLowerCase())) files.push({ path: g.path, data: Buffer.from(g.content), mode: 0o644 });
  }

  const stdin = req.stdin === undefined ? Buffer.alloc(0) : Buffer.isBuffer(req.stdin) ? req.stdin : Buffer.from(String(req.stdin), 'utf8');
  const stdinCap = req.stdinLimitBytes === undefined ? limits.stdinBytes.default : Math.min(Math.max(0, req.stdinLimitBytes), limits.stdinBytes.max);
  if (stdin.length > stdinCap) {
    throw new CallerError(ErrorCodes.stdinTooLarge, `stdin is ${stdin.length} bytes, over the limit of ${stdinCap}`, {
      max: stdinCap,
    });
  }
  const args = (req.args ?? []).map(String);
  let argBytes = 0;
  for (const a of args) {
    if (a.includes('\0')) throw new CallerError(ErrorCodes.invalidFile, 'an argument contains a NUL byte');
    argBytes += Buffer.byteLength(a) + 1;
  }
  const compileOptions = (req.compileOptions ?? []).map(String);
  for (const a of compileOptions) {
    if (a.includes('\0')) throw new CallerError(ErrorCodes.invalidFile, 'a compile option contains a NUL byte');
    argBytes += Buffer.byteLength(a) + 1;
  }
  if (compileOptions.length && !lang.compile?.argv.includes('{options}')) {
    throw new CallerError(ErrorCodes.invalidFile, `${lang.id} is not compiled: it takes no compile options`);
  }
  if (argBytes > limits.argsBytes) {
    throw new CallerError(ErrorCodes.argsTooLarge, `arguments total ${argBytes} bytes, over the limit of ${limits.argsBytes}`, {
      max: limits.argsBytes,
    });
  }
  const dataFiles: BoxFile[] = [];
  let dataTotal = 0;
  for (const f of req.dataFiles ?? []) {
    const file = boxFile(f, seen, limits.fileBytes.max);
    dataTotal += file.data.length;
    dataFiles.push(file);
  }
  // The run box is a tmpfs of boxBytes: leave room for what the program writes.
  if (dataTotal > limits.run.defaults.boxBytes / 2) {
    throw new CallerError(ErrorCodes.sourceTooLarge, `data files total ${dataTotal} bytes, over the limit of ${limits.run.defaults.boxBytes / 2}`, { max: limits.run.defaults.boxBytes / 2 });
  }
  const collectFiles = (req.collectFiles ?? []).map((p) => validateRelativePath(p));
  if (collectFiles.length > COLLECT_FILES_MAX) {
    throw new CallerError(ErrorCodes.tooManyFiles, `${collectFiles.length} files to collect is more than ${COLLECT_FILES_MAX}`, { max: COLLECT_FILES_MAX });
  }
  const outputGlobs = compileOutputGlobs(req.outputFiles);
  const mainClass = lang.mainClass?.(mainFile, main.data.toString('utf8'));
  return { files, dataFiles, mainFile, ...(mainClass ? { mainClass } : {}), stdin, args, compileOptions, collectFiles, outputGlobs };
}

/**
 * Expands a language's argv template (see LanguageDefinition). User-chosen names never come
 * first in an argv element: a source or main file is passed as "./name", so that no leading
 * character ("-" an option, "@" a response file) can be read as anything but a file name,
 * whatever prepareJob let through. The Java class name cannot take a "./" (it is a dotted path
 * of names, which prepareJob checked), so it is refused here too if it starts with "-" or "@".
 */
/**
 * One file of a job, checked: a safe relative path, not reserved, not given twice (case-folded:
 * `seen` is shared by sources and data files), at most `maxBytes`.
 */
function boxFile(f: { path: string; content?: unknown }, seen: Set<string>, maxBytes: number): BoxFile {
  const p = validateRelativePath(f.path);
  if (p.startsWith('.muscode')) throw new CallerError(ErrorCodes.invalidPath, `${p}: reserved name`, { path: p });
  const key = p.toLowerCase();
  if (seen.has(key)) throw new CallerError(ErrorCodes.duplicateFile, `${p} is given twice`, { path: p });
  seen.add(key);
  const data = Buffer.isBuffer(f.content) ? f.content : Buffer.from(String(f.content ?? ''), 'utf8');
  if (data.length > maxBytes) {
    throw new CallerError(ErrorCodes.sourceTooLarge, `${p} is ${data.length} bytes, over the limit of ${maxBytes}`, { path: p, max: maxBytes });
  }
  return { path: p, data, mode: 0o644 };
}

function safePath(p: string): string | undefined {
  try {
    return validateRelativePath(p);
  } catch {
    return undefined;
  }
}

export function expandArgv(template: readonly string[], job: PreparedJob, sourceExtensions: readonly string[]): string[] {
  const out: string[] = [];
  const stem = job.mainFile.replace(/\.[^./]+$/, '');
  const mainClass = job.mainClass ?? stem.replaceAll('/', '.');
  if (template.some((t) => t.includes('{mainClass}')) && /^[-@]/.test(mainClass)) {
    throw new CallerError(ErrorCodes.invalidPath, `${job.mainFile}: starts with "${mainClass[0]}"`, { path: job.mainFile });
  }
  for (const t of template) {
    if (t === '{options}') out.push(...(job.compileOptions ?? []));
    else if (t === '{sources}') {
      out.push(
        ...job.files
          .map((f) => f.path)
          .filter((p) => sourceExtensions.some((e) => p.toLowerCase().endsWith(e)))
          .sort()
          .map((p) => `./${p}`),
      );
    } else {
      const value = t.replaceAll('{main}', job.mainFile).replaceAll('{mainStem}', stem).replaceAll('{mainClass}', mainClass);
      out.push(t.startsWith('{main}') || t.startsWith('{mainStem}') ? `./${value}` : value);
    }
  }
  return out;
}
