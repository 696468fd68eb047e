import fs from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import { fileURLToPath } from 'node:url';
import { z } from 'zod';
import { DEFAULT_LIMITS, type LimitTable } from '../engine/limits.js';
import { ErrorCodes, SystemError } from '../errors.js';

/**
 * All configuration, parsed once at startup into a frozen object. Nothing else reads
 * process.env. Every option has a description and a default; docs/configuration.md lists them
 * (generated from OPTIONS by `bin/muscode config --markdown`).
 */

/** The checkout: the nearest directory above this file with MUSCode's package.json (works from src/ and dist/). */
export const REPO_ROOT = (() => {
  let dir = path.dirname(fileURLToPath(import.meta.url));
  for (;;) {
    const pkg = path.join(dir, 'package.json');
    if (fs.existsSync(pkg) && JSON.parse(fs.readFileSync(pkg, 'utf8')).name === 'muscode') return dir;
    const up = path.dirname(dir);
    if (up === dir) throw new Error('cannot find the MUSCode checkout');
    dir = up;
  }
})();

const int = (min: number, max: number) => z.coerce.number().int().min(min).max(max);

export const OPTIONS = {
  DATA_DIR: {
    schema: z.string().min(1).default(path.join(REPO_ROOT, 'data')),
    description: 'Directory for persistent state (compile cache; later the embedded database and secrets).',
  },
  SANDBOX_DRIVER: {
    schema: z.string().default('bwrap'),
    description: 'Sandbox driver by name. Unknown names stop startup.',
  },
  SANDBOX_SLOTS: {
    schema: int(1, 256).default(os.availableParallelism()),
    description: 'Concurrent sandboxes (slots). Default: the number of CPU cores.',
  },
  SANDBOX_UID_BASE: {
    schema: int(1000, 2 ** 31 - 512).default(60000),
    description: 'Slot n runs as uid/gid UID_BASE + n. These uids must not belong to anyone.',
  },
  SANDBOX_RUN_DIR: {
    schema: z.string().min(1).default('/run/muscode'),
    description: 'Where per-slot box tmpfs mounts live. Must be traversable by the slot uids.',
  },
  SANDBOX_BWRAP: {
    schema: z.string().default('/usr/bin/bwrap'),
    description: 'Path of the bubblewrap binary.',
  },
  SANDBOX_LAUNCHER: {
    schema: z.string().default(path.join(REPO_ROOT, 'build/muscode-sandbox')),
    description: 'Path of the native launcher built by `make` from native/muscode-sandbox.c.',
  },
  SANDBOX_CPU_POLL_MS: {
    schema: int(5, 1000).default(50),
    description: 'How often the CPU-time watchdog reads the cgroup (ms).',
  },
  CGROUP_VERSION: {
    schema: z.enum(['auto', '1', '2']).default('auto'),
    description: '"auto" uses cgroup v1 when its memory, pids and cpuacct controllers are mounted, else v2.',
  },
  CGROUP_V2_ROOT: {
    schema: z.string().default('/sys/fs/cgroup/muscode'),
    description: 'cgroup v2 only: a delegated cgroup (memory, pids, cpu) under which runs get their own.',
  },
  COMPILE_CACHE_MB: {
    schema: int(0, 1_000_000).default(1024),
    description: 'Size bound of the compile cache in MiB (0 disables it). Oldest entries are evicted first.',
  },
  EXECUTION_TIMEOUT: {
    schema: z.coerce.number().positive().max(600).default(DEFAULT_LIMITS.run.max.wallMs / 1000),
    description: 'Maximum wall time of a run stage, seconds (first seed).',
  },
  MEMORY_LIMIT: {
    schema: int(16, 65536).default(DEFAULT_LIMITS.run.defaults.memoryBytes / 2 ** 20),
    description: 'Default memory limit of a run stage, MB (first seed).',
  },
  MAX_CODE_LENGTH: {
    schema: int(1, 16 * 2 ** 20).default(DEFAULT_LIMITS.codeChars.default),
    description: 'Maximum characters of a single-file `code` field (first seed).',
  },
  MAX_FILE_SIZE: {
    schema: int(1, 64 * 2 ** 20).default(DEFAULT_LIMITS.fileBytes.default),
    description: 'Maximum bytes of one source file (first seed).',
  },
} as const;

type Options = typeof OPTIONS;
export type Config = Readonly<{ [K in keyof Options]: z.output<Options[K]['schema']> }> & {
  readonly limits: LimitTable;
};

export function loadConfig(env: Record<string, string | undefined> = process.env, overrides: Record<string, string> = {}): Config {
  const shape = Object.fromEntries(Object.entries(OPTIONS).map(([k, v]) => [k, v.schema])) as {
    [K in keyof Options]: Options[K]['schema'];
  };
  const input: Record<string, string | undefined> = {};
  for (const key of Object.keys(OPTIONS)) {
    const v = overrides[key] ?? env[key];
    if (v !== undefined && v !== '') input[key] = v;
  }
  const parsed = z.object(shape).safeParse(input);
  if (!parsed.success) {
    const issues = parsed.error.issues.map((i) => `${i.path.join('.')}: ${i.message}`).join('; ');
    throw new SystemError(ErrorCodes.invalidConfig, `invalid configuration: ${issues}`);
  }
  const c = parsed.data;
  const limits: LimitTable = structuredClone(DEFAULT_LIMITS);
  limits.run.max.wallMs = Math.round(c.EXECUTION_TIMEOUT * 1000);
  limits.run.defaults.wallMs = Math.min(limits.run.defaults.wallMs, limits.run.max.wallMs);
  limits.run.defaults.memoryBytes = c.MEMORY_LIMIT * 2 ** 20;
  limits.run.max.memoryBytes = Math.max(limits.run.max.memoryBytes, limits.run.defaults.memoryBytes);
  limits.codeChars.default = c.MAX_CODE_LENGTH;
  limits.fileBytes.default = c.MAX_FILE_SIZE;
  return deepFreeze({ ...c, limits }) as Config;
}

/** Markdown table of every option, for docs/configuration.md. */
export function configMarkdown(): string {
  const rows = Object.entries(OPTIONS).map(([k, v]) => {
    const def = (v.schema as z.ZodDefault<z.ZodTypeAny>).parse(undefined);
    const shown = typeof def === 'string' && def.startsWith(REPO_ROOT) ? def.replace(REPO_ROOT, '<checkout>') : def;
    const dflt = k === 'SANDBOX_SLOTS' ? 'number of CPU cores' : String(shown);
    return `| \`${k}\` | \`${dflt}\` | ${v.description} |`;
  });
  return ['| variable | default | description |', '|---|---|---|', ...rows].join('\n');
}

function deepFreeze<T>(o: T): T {
  if (o && typeof o === 'object') {
    for (const v of Object.values(o)) deepFreeze(v);
    Object.freeze(o);
  }
  return o;
}
