import semver from 'semver';
import type { LimitTable } from '../../engine/limits.js';
import type { LanguageInfo } from '../../engine/languages/registry.js';
import type { ExecuteInput } from '../../executions/service.js';
import { COMPAT_LANGUAGES } from '../languages.js';

/**
 * Piston v2's runtimes and its execute request (api/src/api/v2.js, api/src/runtime.js), as pure
 * functions: the runtime list, version matching, validation with Piston's exact 400 texts, and
 * the translation onto our execution request.
 */

export interface PistonRuntime {
  language: string;
  version: string;
  aliases: string[];
  runtime?: string;
  /** Our language id. */
  ourId: string;
  /** Versions Piston published that resolve to this runtime too (tutorials hard-code them). */
  knownVersions: string[];
  extensions: string[];
  sourceFile: string;
}

/** Our available languages as Piston runtimes; the version is the host's, as semver. */
export function runtimesFrom(infos: readonly LanguageInfo[], sourceFiles: (id: string) => string): PistonRuntime[] {
  const out: PistonRuntime[] = [];
  for (const l of COMPAT_LANGUAGES) {
    const info = infos.find((i) => i.id === l.id);
    if (!info?.available || !info.version) continue;
    const version = semver.coerce(info.version)?.version ?? info.version;
    const rt: PistonRuntime = {
      language: l.piston.language,
      version,
      aliases: l.piston.aliases,
      ourId: l.id,
      knownVersions: l.piston.versions,
      extensions: info.extensions,
      sourceFile: sourceFiles(l.id),
    };
    if (l.piston.runtime) rt.runtime = l.piston.runtime;
    out.push(rt);
  }
  return out;
}

/** The public shape of GET /api/v2/runtimes: `runtime` only for multi-language packages. */
export function presentRuntime(rt: PistonRuntime): { language: string; version: string; aliases: string[]; runtime?: string } {
  return rt.runtime ? { language: rt.language, version: rt.version, aliases: rt.aliases, runtime: rt.runtime } : { language: rt.language, version: rt.version, aliases: rt.aliases };
}

/**
 * Piston's match (runtime.js get_latest_runtime_matching_language_version): the name or an alias
 * (case-sensitive) and `semver.satisfies(version, range)`; the highest match wins. Here also an
 * exact version Piston published for the language ("3.10.0"), which resolves to ours.
 */
export function resolveRuntime(runtimes: readonly PistonRuntime[], language: string, version: string): PistonRuntime | undefined {
  const matches = runtimes.filter(
    (rt) =>
      (rt.language === language || rt.aliases.includes(language)) &&
      (safeSatisfies(rt.version, version) || rt.knownVersions.includes(version)),
  );
  return matches.sort((a, b) => semver.rcompare(a.version, b.version))[0];
}

function safeSatisfies(version: string, range: string): boolean {
  try {
    return semver.valid(version) !== null && semver.satisfies(version, range);
  } catch {
    return false;
  }
}

export type PistonTranslation = { ok: true; input: ExecuteInput; runtime: PistonRuntime } | { ok: false; message: string };

type LimitName = 'compile_memory_limit' | 'run_memory_limit' | 'compile_timeout' | 'run_timeout' | 'compile_cpu_time' | 'run_cpu_time';

/** The configured limit of each Piston field, in its unit (ms, bytes). */
function configured(l: LimitTable): Record<LimitName, number> {
  return {
    compile_memory_limit: l.compile.max.memoryBytes,
    run_memory_limit: l.run.max.memoryBytes,
    compile_timeout: l.compile.max.wallMs,
    run_timeout: l.run.max.wallMs,
    compile_cpu_time: l.compile.max.cpuMs,
    run_cpu_time: l.run.max.cpuMs,
  };
}

/** Piston's validation order: memory, then timeout, then CPU time, compile before run. */
const LIMIT_ORDER: LimitName[] = ['compile_memory_limit', 'run_memory_limit', 'compile_timeout', 'run_timeout', 'compile_cpu_time', 'run_cpu_time'];

function decodeContent(content: string, encoding: unknown): string {
  if (encoding === 'base64') return Buffer.from(content, 'base64').toString('utf8');
  if (encoding === 'hex') return Buffer.from(content, 'hex').toString('utf8');
  return content;
}

export function translateExecute(body: unknown, runtimes: readonly PistonRuntime[], limits: LimitTable): PistonTranslation {
  const b = (body && typeof body === 'object' ? body : {}) as Record<string, unknown>;
  const fail = (message: string): PistonTranslation => ({ ok: false, message });
  if (typeof b.language !== 'string') return fail('language is required as a string');
  if (typeof b.version !== 'string') return fail('version is required as a string');
  if (!Array.isArray(b.files)) return fail('files is required as an array');
  const files = b.files as Record<string, unknown>[];
  for (const [i, f] of files.entries()) {
    if (typeof f?.content !== 'string') return fail(`files[${i}].content is required as a string`);
  }
  const rt = resolveRuntime(runtimes, b.language, b.version);
  if (!rt) return fail(`${b.language}-${b.version} runtime is unknown`);
  if (!files.some((f) => f.encoding === undefined || f.encoding === 'utf8' || !['base64', 'hex'].includes(String(f.encoding)))) {
    return fail('files must include at least one utf8 encoded file');
  }
  const conf = configured(limits);
  const given: Partial<Record<LimitName, number>> = {};
  for (const name of LIMIT_ORDER) {
    const v = b[name];
    if (!v) continue; // Piston skips falsy values (0, null, "")
    if (typeof v !== 'number') return fail(`If specified, ${name} must be a number`);
    // piston-client sends -1 ("no limit", Piston's own default for memory): the default here.
    if (name.endsWith('memory_limit') && v === -1) continue;
    if (v > conf[name]) return fail(`${name} cannot exceed the configured limit of ${conf[name]}`);
    if (v < 0) return fail(`${name} must be non-negative`);
    given[name] = v;
  }

  const named = files.map((f, i) => ({
    name: typeof f.name === 'string' && f.name ? f.name : `file${i}.code`,
    content: decodeContent(f.content as string, f.encoding),
  }));
  // files[0] is the main file; a name without one of the language's extensions (Piston's
  // default "file0.code") gets the language's default name, which our toolchains need.
  const main = named[0]!;
  if (!rt.extensions.some((e) => main.name.toLowerCase().endsWith(e))) main.name = rt.sourceFile;
  let stdin = typeof b.stdin === 'string' ? b.stdin : '';
  // engineer-man/piston#474: a newline is appended when missing (to non-empty stdin).
  if (stdin !== '' && !stdin.endsWith('\n')) stdin += '\n';
  const args = Array.isArray(b.args) ? (b.args as unknown[]).map(String) : [];
  const input: ExecuteInput = {
    language: rt.ourId,
    files: named,
    mainFile: main.name,
    stdin,
    args,
    limits: {
      ...(given.run_timeout ? { wallMs: given.run_timeout } : {}),
      ...(given.run_cpu_time ? { cpuMs: given.run_cpu_time } : {}),
      ...(given.run_memory_limit ? { memoryBytes: given.run_memory_limit } : {}),
    },
  };
  return { ok: true, input, runtime: rt };
}
