import fs from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import { configMarkdown, loadConfig, OPTIONS } from '../config/config.js';
import { embeddedDbDir, migrate, openDatabase } from '../db/client.js';
import { DataErrorCodes } from '../db/data-dir-lock.js';
import { importProblems, setUserRole } from './arena-commands.js';
import { backup, lockDataDir, repair, restore } from './data-commands.js';
import { supervise } from '../supervisor/supervisor.js';
import { SELF_TEST_EXPECTED } from '../engine/languages/language.js';
import { LANGUAGES, LanguageRegistry } from '../engine/languages/registry.js';
import { Engine } from '../engine/runner/engine.js';
import { type RunResult, resultToJson, type SourceFile } from '../engine/types.js';
import { CallerError, ErrorCodes, MuscodeError } from '../errors.js';
import { installMemoryReport } from './memory-report.js';
import { EX_MISMATCH, verifyPaths } from './problem-commands.js';

/** sysexits(3): our own failures can never be confused with a program's exit code. */
const EX_USAGE = 64;
const EX_DATAERR = 65;
const EX_SOFTWARE = 70;
const EX_CANTCREAT = 73;
const EX_TEMPFAIL = 75;

/** Exit codes of the data-safety errors (src/db/data-dir-lock.ts). */
const DATA_EXIT: Record<string, number> = {
  [DataErrorCodes.dataDirLocked]: EX_TEMPFAIL,
  [DataErrorCodes.databaseDamaged]: EX_DATAERR,
  [DataErrorCodes.backupInvalid]: EX_DATAERR,
  [DataErrorCodes.restoreTargetNotEmpty]: EX_CANTCREAT,
};

const USAGE = `usage:
  muscode serve [--port N] [--host H] [--data-dir D] [--SETTING VALUE ...]
  muscode worker [--SETTING VALUE ...]      (cluster mode: DATABASE_URL and REDIS_URL)
  muscode migrate
  muscode backup FILE [--data-dir D | --database-url URL]     (safe while the server runs)
  muscode restore FILE [--data-dir D [--force] | --database-url URL]   (server stopped)
  muscode repair [--data-dir D]                                (salvage a damaged embedded database)
  muscode run FILE... [--lang ID] [--stdin TEXT | --stdin-file F] [--time-limit MS]
                      [--wall-limit MS] [--memory-limit MB] [--json]
                      [--output-files GLOB[,GLOB...] [--output-dir DIR]] [-- ARGS...]
  muscode languages [--json]
  muscode selftest [--json] [--all] [LANG...]   (the core languages; --all: every one, as CI)
  muscode problem verify PATH...            (judge a package's submissions/; exit 1 on a mismatch)
  muscode problem import PATH... [--publish] [--replace]   (into the database; a folder or .zip/.kpp)
  muscode user role EMAIL ROLE              (ROLE: user, author or admin)
  muscode config --markdown`;

class UsageError extends CallerError {
  constructor(message: string) {
    super(ErrorCodes.usage, message);
  }
}

interface ParsedArgs {
  positionals: string[];
  flags: Map<string, string | true>;
  rest: string[];
}

function parseArgs(argv: string[], valued: readonly string[], boolean: readonly string[]): ParsedArgs {
  const out: ParsedArgs = { positionals: [], flags: new Map(), rest: [] };
  for (let i = 0; i < argv.length; i++) {
    const a = argv[i]!;
    if (a === '--') {
      out.rest = argv.slice(i + 1);
      break;
    }
    if (a.startsWith('--')) {
      const [name, inline] = a.slice(2).split(/=(.*)/s, 2) as [string, string | undefined];
      if (valued.includes(name)) {
        const v = inline ?? argv[++i];
        if (v === undefined) throw new UsageError(`--${name} needs a value`);
        out.flags.set(name, v);
      } else if (boolean.includes(name) && inline === undefined) out.flags.set(name, true);
      else throw new UsageError(`unknown option --${name}`);
    } else out.positionals.push(a);
  }
  return out;
}

function numberFlag(args: ParsedArgs, name: string): number | undefined {
  const v = args.flags.get(name);
  if (v === undefined) return undefined;
  const n = Number(v);
  if (typeof v !== 'string' || !Number.isFinite(n) || n <= 0) throw new UsageError(`--${name} must be a positive number`);
  return n;
}

function writeOut(stream: NodeJS.WriteStream, data: string | Buffer): Promise<void> {
  return new Promise((resolve) => (stream.write(data) ? resolve() : stream.once('drain', () => resolve())));
}

async function cmdRun(argv: string[]): Promise<number> {
  const args = parseArgs(argv, ['lang', 'stdin', 'stdin-file', 'time-limit', 'wall-limit', 'memory-limit', 'output-files', 'output-dir'], ['json']);
  if (args.positionals.length === 0) throw new UsageError('run needs at least one FILE');
  if (args.flags.has('stdin') && args.flags.has('stdin-file')) throw new UsageError('give --stdin or --stdin-file, not both');
  const registry = new LanguageRegistry();
  const langFlag = args.flags.get('lang');
  const first = args.positionals[0]!;
  const lang = typeof langFlag === 'string' ? registry.get(langFlag) : registry.byExtension(first);
  if (!lang) throw new CallerError(ErrorCodes.unknownLanguage, `cannot tell the language of ${first} from its extension; use --lang`);

  // Files keep their path relative to the main file's directory (so "pkg/util.py" stays in pkg/).
  const baseDir = path.dirname(path.resolve(first));
  const files: SourceFile[] = args.positionals.map((f) => {
    const rel = path.relative(baseDir, path.resolve(f)).split(path.sep).join('/');
    let content: Buffer;
    try {
      content = fs.readFileSync(f);
    } catch (err) {
      throw new CallerError(ErrorCodes.invalidFile, `cannot read ${f}: ${(err as NodeJS.ErrnoException).code ?? (err as Error).message}`);
    }
    return { path: rel, content };
  });
  let stdin: Buffer | undefined;
  const stdinFlag = args.flags.get('stdin');
  const stdinFile = args.flags.get('stdin-file');
  if (typeof stdinFlag === 'string') stdin = Buffer.from(stdinFlag);
  if (typeof stdinFile === 'string') {
    try {
      stdin = fs.readFileSync(stdinFile);
    } catch (err) {
      throw new CallerError(ErrorCodes.invalidFile, `cannot read ${stdinFile}: ${(err as NodeJS.ErrnoException).code}`);
    }
  }
  const memMb = numberFlag(args, 'memory-limit');
  const limits = {
    cpuMs: numberFlag(args, 'time-limit'),
    wallMs: numberFlag(args, 'wall-limit'),
    memoryBytes: memMb === undefined ? undefined : Math.floor(memMb * 2 ** 20),
  };
  const outputFlag = args.flags.get('output-files');
  const outputFiles = typeof outputFlag === 'string' ? outputFlag.split(',').filter((g) => g !== '') : undefined;
  const outputDirFlag = args.flags.get('output-dir');
  if (outputDirFlag !== undefined && !outputFiles) throw new UsageError('--output-dir needs --output-files');
  const outputDir = typeof outputDirFlag === 'string' ? outputDirFlag : '.';
  const json = args.flags.has('json');
  const engine = Engine.create(loadConfig());
  const abort = new AbortController();
  const onSignal = () => abort.abort();
  process.once('SIGINT', onSignal);
  process.once('SIGTERM', onSignal);
  let result: RunResult;
  const pending: Promise<void>[] = [];
  try {
    result = await engine.run({
      language: lang.id,
      files,
      stdin,
      args: args.rest,
      limits: Object.fromEntries(Object.entries(limits).filter(([, v]) => v !== undefined)),
      outputFiles,
      onStdout: json ? undefined : (c) => pending.push(writeOut(process.stdout, c)),
      onStderr: json ? undefined : (c) => pending.push(writeOut(process.stderr, c)),
      signal: abort.signal,
    });
  } finally {
    await engine.close();
    process.off('SIGINT', onSignal);
    process.off('SIGTERM', onSignal);
  }
  await Promise.all(pending);
  const written = result.outputFiles ? writeOutputFiles(outputDir, result.outputFiles) : [];
  if (json) {
    const extra = result.outputFiles
      ? { outputFiles: result.outputFiles.map((f, i) => ({ name: f.name, size: f.size, type: f.type, path: written[i] })), refusedOutputFiles: result.refusedOutputFiles }
      : {};
    await writeOut(process.stdout, `${JSON.stringify({ ...resultToJson(result), ...extra })}\n`);
  } else if (result.compile && result.compile.status !== 'ok') {
    await writeOut(process.stderr, Buffer.concat([result.compile.stdout, result.compile.stderr]));
    await writeOut(process.stderr, `muscode: ${result.compile.status}\n`);
  } else if (result.run && result.run.status !== 'ok' && result.run.status !== 'runtime_error') {
    await writeOut(process.stderr, `muscode: ${result.run.status} (cpu ${result.run.cpuMs} ms, wall ${result.run.wallMs} ms, memory ${result.run.memoryKb} KiB)\n`);
  }
  if (!json) {
    for (const p of written) await writeOut(process.stderr, `muscode: wrote ${p}\n`);
    for (const r of result.refusedOutputFiles ?? []) await writeOut(process.stderr, `muscode: not returned: ${r.name} (${r.reason})\n`);
  }
  return exitCodeOf(result);
}

/**
 * The run's output files, written under `dir` by their box paths (which never hold ".."). An
 * existing regular file is replaced; a symlink in its place is not followed (O_NOFOLLOW).
 * Refused files are reported on stderr. Returns each written path.
 */
function writeOutputFiles(dir: string, files: NonNullable<RunResult['outputFiles']>): string[] {
  return files.map((f) => {
    const target = path.join(dir, ...f.name.split('/'));
    fs.mkdirSync(path.dirname(target), { recursive: true });
    const { O_WRONLY, O_CREAT, O_TRUNC, O_NOFOLLOW } = fs.constants;
    let fd: number;
    try {
      fd = fs.openSync(target, O_WRONLY | O_CREAT | O_TRUNC | O_NOFOLLOW, 0o644);
    } catch (err) {
      throw new CallerError(ErrorCodes.invalidFile, `cannot write ${target}: ${(err as NodeJS.ErrnoException).code ?? (err as Error).message}`);
    }
    try {
      fs.writeFileSync(fd, f.content);
    } finally {
      fs.closeSync(fd);
    }
    return target;
  });
}

function exitCodeOf(result: RunResult): number {
  const stage = result.run ?? result.compile;
  if (!stage) return EX_SOFTWARE;
  if (stage.status === 'internal_error') return EX_SOFTWARE;
  if (!result.run) return 1; // compile failed
  if (stage.exitCode !== null) return stage.exitCode;
  if (stage.signal) return 128 + (os.constants.signals[stage.signal as keyof typeof os.constants.signals] ?? 9);
  return 1;
}

async function cmdLanguages(argv: string[]): Promise<number> {
  const args = parseArgs(argv, [], ['json']);
  const list = await new LanguageRegistry().list();
  if (args.flags.has('json')) {
    await writeOut(process.stdout, `${JSON.stringify(list, null, 2)}\n`);
    return 0;
  }
  const rows = list.map((l) => [l.id, l.name, l.version ?? '-', l.compiled ? 'compiled' : 'interpreted', l.available ? 'yes' : `no (${l.reason})`]);
  await writeOut(process.stdout, table(['id', 'name', 'version', 'kind', 'available'], rows));
  return 0;
}

async function cmdSelftest(argv: string[]): Promise<number> {
  const args = parseArgs(argv, [], ['json', 'all']);
  const engine = Engine.create(loadConfig());
  const registry = engine.languages;
  // The core group by default (what `make run` installs); --all adds `make languages`' group.
  const defs = args.positionals.length ? args.positionals.map((n) => registry.get(n)) : args.flags.has('all') ? registry.definitions : LANGUAGES;
  const rows: string[][] = [];
  const report: object[] = [];
  let failed = 0;
  try {
    const results = await Promise.all(
      defs.map(async (def) => {
        const reason = registry.unavailableReason(def);
        if (reason) return { def, error: `unavailable: ${reason}` };
        const files = [{ path: def.sourceFile, content: def.selfTest.source }, ...(def.selfTest.files ?? [])];
        try {
          const r = await engine.run({ language: def.id, files, stdin: def.selfTest.stdin, args: def.selfTest.args });
          return { def, r };
        } catch (err) {
          return { def, error: (err as Error).message };
        }
      }),
    );
    for (const { def, r, error } of results as { def: (typeof defs)[number]; r?: RunResult; error?: string }[]) {
      const out = r?.run?.stdout.toString('utf8');
      const pass = !error && r?.run?.status === 'ok' && out === def.selfTest.expected;
      if (!pass) failed++;
      const version = await registry.version(def);
      const detail = error ?? (r?.run ? `${r.run.status}` : `compile: ${r?.compile?.status} ${r?.compile?.stderr.toString().slice(0, 200)}`);
      rows.push([
        def.id,
        version ?? '-',
        pass ? 'PASS' : 'FAIL',
        r?.compile ? `${r.compile.wallMs}` : '-',
        r?.run ? `${r.run.wallMs}` : '-',
        r?.run ? `${r.run.cpuMs}` : '-',
        r?.run ? `${Math.round(r.run.memoryKb / 1024)}` : '-',
        pass ? '' : `${detail}${out !== undefined && out !== SELF_TEST_EXPECTED ? ` got ${JSON.stringify(out.slice(0, 80))}` : ''}`,
      ]);
      report.push({ language: def.id, version, pass, result: r && resultToJson(r), error });
    }
  } finally {
    await engine.close();
  }
  if (args.flags.has('json')) await writeOut(process.stdout, `${JSON.stringify(report, null, 2)}\n`);
  else {
    await writeOut(process.stdout, table(['language', 'version', 'result', 'compile ms', 'run ms', 'cpu ms', 'mem MB', 'detail'], rows));
    await writeOut(process.stdout, `${defs.length - failed}/${defs.length} languages passed their self-test\n`);
  }
  return failed ? 1 : 0;
}

/** `--port 3000` -> PORT=3000: every setting has a matching flag. */
function settingFlags(argv: string[]): Record<string, string> {
  const out: Record<string, string> = {};
  for (let i = 0; i < argv.length; i++) {
    const a = argv[i]!;
    if (!a.startsWith('--')) throw new UsageError(`unexpected argument ${a}`);
    const [flag, inline] = a.slice(2).split(/=(.*)/s, 2) as [string, string | undefined];
    const key = flag.toUpperCase().replaceAll('-', '_');
    if (!Object.hasOwn(OPTIONS, key)) throw new UsageError(`unknown option --${flag}`);
    const v = inline ?? argv[++i];
    if (v === undefined) throw new UsageError(`--${flag} needs a value`);
    out[key] = v;
  }
  return out;
}

async function cmdServe(argv: string[], role: 'api' | 'worker'): Promise<number> {
  const settings = settingFlags(argv);
  const config = loadConfig(process.env, settings);
  if (role === 'worker' && config.mode !== 'cluster') throw new UsageError('worker needs DATABASE_URL and REDIS_URL (cluster mode)');
  // The lock comes before anything else touches DATA_DIR (the engine creates its compile cache
  // there; the service opens the database there). The supervisor holds it, and exits only after
  // the service has exited: a restart waits for the old database to be closed.
  const lock = await lockDataDir(config.DATA_DIR, `muscode ${role === 'api' ? 'serve' : 'worker'} ${argv.join(' ')}`.trim());
  try {
    // The supervisor keeps root for the sandboxes; HTTP and queue traffic are parsed by a child
    // process running as SERVICE_USER.
    const engine = Engine.create(config);
    installMemoryReport('supervisor');
    return await supervise(config, engine, [role], settings, { onStopping: () => lock.markStopping() });
  } finally {
    await lock.release();
  }
}

async function cmdMigrate(argv: string[]): Promise<number> {
  const config = loadConfig(process.env, settingFlags(argv));
  const lock = config.DATABASE_URL ? null : await lockDataDir(config.DATA_DIR, `muscode migrate ${argv.join(' ')}`.trim());
  try {
    const database = await openDatabase(config.DATABASE_URL ? { url: config.DATABASE_URL } : { pgliteDir: embeddedDbDir(config.DATA_DIR) });
    try {
      await migrate(database);
    } finally {
      await database.close();
    }
    await writeOut(process.stdout, `migrations applied (${database.kind})\n`);
    return 0;
  } finally {
    await lock?.release();
  }
}

/** --data-dir and --database-url for the data commands (DATABASE_URL alone is enough here: no Redis needed). */
function dataTarget(args: ParsedArgs) {
  const dataDir = args.flags.get('data-dir');
  const url = args.flags.get('database-url');
  const config = loadConfig(process.env, typeof dataDir === 'string' ? { DATA_DIR: dataDir } : {});
  return { dataDir: config.DATA_DIR, databaseUrl: typeof url === 'string' ? url : config.DATABASE_URL };
}

function summary(tables: Record<string, number>): string {
  return Object.entries(tables)
    .filter(([, n]) => n > 0)
    .map(([t, n]) => `${t} ${n}`)
    .join(', ') || 'no rows';
}

async function cmdBackup(argv: string[]): Promise<number> {
  const args = parseArgs(argv, ['data-dir', 'database-url'], []);
  if (args.positionals.length !== 1) throw new UsageError('backup needs exactly one FILE');
  const file = args.positionals[0]!;
  const out = await backup(dataTarget(args), file);
  await writeOut(process.stdout, `backup written to ${file} (${out.via === 'server' ? 'taken by the running server' : 'read directly'}; ${summary(out.tables ?? {})})\n`);
  return 0;
}

async function cmdRestore(argv: string[]): Promise<number> {
  const args = parseArgs(argv, ['data-dir', 'database-url'], ['force']);
  if (args.positionals.length !== 1) throw new UsageError('restore needs exactly one FILE');
  const target = dataTarget(args);
  const out = await restore(target, args.positionals[0]!, args.flags.has('force'));
  const where = target.databaseUrl ? 'PostgreSQL' : embeddedDbDir(target.dataDir);
  await writeOut(process.stdout, `restored into ${where} (${summary(out.tables)})${out.movedAside ? `; the previous database is kept in ${out.movedAside}` : ''}\n`);
  return 0;
}

async function cmdRepair(argv: string[]): Promise<number> {
  const args = parseArgs(argv, ['data-dir'], []);
  if (args.positionals.length) throw new UsageError('repair takes no FILE');
  const { dataDir } = dataTarget(args);
  const out = await repair(dataDir);
  for (const f of out.fixed) await writeOut(process.stdout, `fixed: ${f}\n`);
  await writeOut(process.stdout, `repaired ${embeddedDbDir(dataDir)} (${summary(out.tables)}); the damaged database is kept in ${out.movedAside}\n`);
  return 0;
}

async function cmdProblem(argv: string[]): Promise<number> {
  const [sub, ...rest] = argv;
  if (sub === 'import') return cmdProblemImport(rest);
  if (sub !== 'verify') throw new UsageError(sub ? `unknown problem command ${sub}` : 'problem needs a command: verify or import');
  const args = parseArgs(rest, [], []);
  if (args.positionals.length === 0) throw new UsageError('problem verify needs at least one PATH');
  const engine = Engine.create(loadConfig());
  const abort = new AbortController();
  const onSignal = () => abort.abort();
  process.once('SIGINT', onSignal);
  process.once('SIGTERM', onSignal);
  try {
    const reports = await verifyPaths(engine, args.positionals, (t) => writeOut(process.stdout, t), table, abort.signal);
    return reports.every((r) => r.ok) ? 0 : EX_MISMATCH;
  } finally {
    process.off('SIGINT', onSignal);
    process.off('SIGTERM', onSignal);
    await engine.close();
  }
}

async function cmdProblemImport(argv: string[]): Promise<number> {
  const args = parseArgs(argv, [], ['publish', 'replace']);
  if (args.positionals.length === 0) throw new UsageError('problem import needs at least one PATH');
  const lines = await importProblems(loadConfig(), args.positionals, { publish: args.flags.has('publish'), replace: args.flags.has('replace') });
  for (const l of lines) {
    for (const w of l.warnings) await writeOut(process.stdout, `warning: ${l.slug}: ${w}\n`);
    if (l.outcome === 'failed') process.stderr.write(`muscode: ${l.path}: ${l.error!.code}: ${l.error!.message}\n`);
    else await writeOut(process.stdout, `${l.path}: ${l.outcome} ${l.slug}${args.flags.has('publish') ? ' (published)' : ''}\n`);
  }
  return lines.every((l) => l.outcome !== 'failed') ? 0 : EX_DATAERR;
}

async function cmdUser(argv: string[]): Promise<number> {
  const [sub, ...rest] = argv;
  if (sub !== 'role') throw new UsageError(sub ? `unknown user command ${sub}` : 'user needs a command: role');
  const args = parseArgs(rest, [], []);
  if (args.positionals.length !== 2) throw new UsageError('user role needs EMAIL and ROLE');
  try {
    const r = await setUserRole(loadConfig(), args.positionals[0]!, args.positionals[1]!);
    await writeOut(process.stdout, `${r.username} is now ${r.role}\n`);
    return 0;
  } catch (err) {
    if (err instanceof CallerError && err.code === ErrorCodes.usage) throw new UsageError(err.message);
    throw err;
  }
}

function table(head: string[], rows: string[][]): string {
  const widths = head.map((h, i) => Math.max(h.length, ...rows.map((r) => (r[i] ?? '').length)));
  const line = (r: string[]) => r.map((c, i) => c.padEnd(widths[i]!)).join('  ').trimEnd();
  return `${[line(head), line(widths.map((w) => '-'.repeat(w))), ...rows.map(line)].join('\n')}\n`;
}

export async function main(argv: string[]): Promise<number> {
  const [cmd, ...rest] = argv;
  try {
    switch (cmd) {
      case 'run':
        return await cmdRun(rest);
      case 'languages':
        return await cmdLanguages(rest);
      case 'selftest':
        return await cmdSelftest(rest);
      case 'serve':
        return await cmdServe(rest, 'api');
      case 'worker':
        return await cmdServe(rest, 'worker');
      case 'migrate':
        return await cmdMigrate(rest);
      case 'backup':
        return await cmdBackup(rest);
      case 'restore':
        return await cmdRestore(rest);
      case 'repair':
        return await cmdRepair(rest);
      case 'problem':
        return await cmdProblem(rest);
      case 'user':
        return await cmdUser(rest);
      case 'config':
        if (rest[0] !== '--markdown') throw new UsageError('config supports --markdown');
        await writeOut(process.stdout, `${configMarkdown()}\n`);
        return 0;
      case undefined:
      case 'help':
      case '--help':
      case '-h':
        await writeOut(cmd ? process.stdout : process.stderr, `${USAGE}\n`);
        return cmd ? 0 : EX_USAGE;
      default:
        throw new UsageError(`unknown command ${cmd}`);
    }
  } catch (err) {
    if (err instanceof UsageError) {
      process.stderr.write(`muscode: ${err.message}\n${USAGE}\n`);
      return EX_USAGE;
    }
    if (err instanceof MuscodeError && Object.hasOwn(DATA_EXIT, err.code)) {
      process.stderr.write(`muscode: ${err.code}: ${err.message}\n`);
      return DATA_EXIT[err.code]!;
    }
    if (err instanceof CallerError) {
      process.stderr.write(`muscode: ${err.code}: ${err.message}\n`);
      return EX_DATAERR;
    }
    const code = err instanceof MuscodeError ? `${err.code}: ` : '';
    process.stderr.write(`muscode: internal error: ${code}${(err as Error).stack ?? err}\n`);
    return EX_SOFTWARE;
  }
}

main(process.argv.slice(2)).then(
  (code) => {
    process.exitCode = code;
  },
  () => {
    process.exitCode = EX_SOFTWARE;
  },
);
