import { z } from 'zod';
import { STAGE_STATUSES, type StageJson } from '../engine/types.js';
import type { ExecutionRow, StoredArtifacts } from './service.js';

const stage = z.object({
  status: z.enum(STAGE_STATUSES),
  stdout: z.string(),
  stderr: z.string(),
  exitCode: z.number().int().nullable(),
  signal: z.string().nullable(),
  cpuMs: z.number().int(),
  wallMs: z.number().int(),
  memoryKb: z.number().int(),
  truncated: z.boolean(),
  cached: z.boolean().optional(),
});

export const executionSchema = z
  .object({
    executionId: z.uuid(),
    status: z.enum(['queued', 'running', 'completed', 'timeout', 'failed', 'cancelled']),
    language: z.string(),
    output: z.string().nullable().describe('stdout of the run stage (base64 with ?base64_encoded=true); never trimmed'),
    error: z.string().nullable().describe('stderr of the run stage'),
    executionTime: z.number().nullable().describe('wall time of the run stage, seconds'),
    memoryUsed: z.number().nullable().describe('measured peak memory of the run stage, MB (never the limit)'),
    exitCode: z.number().int().nullable(),
    compilationError: z.string().nullable(),
    verdict: z.enum(STAGE_STATUSES).nullable().describe("the engine's status of the deciding stage"),
    signal: z.string().nullable(),
    cpuMs: z.number().int().nullable(),
    wallMs: z.number().int().nullable(),
    memoryKb: z.number().int().nullable(),
    truncated: z.boolean(),
    compile: stage.nullable(),
    run: stage.nullable(),
    failureReason: z.string().nullable(),
    outputFiles: z
      .array(z.object({ name: z.string(), size: z.number().int(), type: z.string().describe('media type from the extension'), content: z.string().describe('base64') }))
      .optional()
      .describe('files the run left that matched the request\'s outputFiles globs (only when asked for)'),
    refusedOutputFiles: z
      .array(z.object({ name: z.string(), reason: z.enum(['symlink', 'not_regular_file', 'too_large', 'too_many', 'total_too_large']) }))
      .optional()
      .describe('matched files not returned, by name, and why'),
    timeline: z
      .array(z.tuple([z.number(), z.number(), z.number()]))
      .optional()
      .describe('run stage samples [ms since start, CPU ms, memory KB] (only when asked for with timeline: true)'),
    projectId: z.uuid().nullable(),
    base64Encoded: z.boolean(),
    createdAt: z.string(),
    startedAt: z.string().nullable(),
    completedAt: z.string().nullable(),
  })
  .describe('An execution, in the first seed’s shape plus the engine’s stages');

export type ExecutionJson = z.output<typeof executionSchema>;

/** The compile stage as stored in `executions.compile`: the engine's JSON stage, output base64. */
type StoredStage = StageJson;

/** Row -> API shape. Output is UTF-8 text by default (invalid bytes replaced), exact bytes with base64. */
/** The exit code the first seed (and coreutils `timeout`) reports for a run stopped by its time limit. */
export const TIMEOUT_EXIT_CODE = 124;

export function presentExecution(row: ExecutionRow, base64 = false): ExecutionJson {
  const text = (b: Buffer | null) => (b === null ? null : base64 ? b.toString('base64') : b.toString('utf8'));
  const final = row.completedAt !== null;
  const c = row.compile as StoredStage | null;
  const compile = c
    ? {
        ...c,
        stdout: base64 ? c.stdout : Buffer.from(c.stdout, 'base64').toString('utf8'),
        stderr: base64 ? c.stderr : Buffer.from(c.stderr, 'base64').toString('utf8'),
      }
    : null;
  const ran = final && row.verdict !== null && row.cpuMs !== null;
  return {
    executionId: row.id,
    status: row.status as ExecutionJson['status'],
    language: row.language,
    output: final ? text(row.stdout ?? Buffer.alloc(0)) : null,
    error: final ? text(row.stderr ?? Buffer.alloc(0)) : null,
    executionTime: row.wallMs === null ? null : row.wallMs / 1000,
    memoryUsed: row.memoryKb === null ? null : Math.round((row.memoryKb / 1024) * 100) / 100,
    // Issue 12: a timed-out run reports 124 as the first seed does (and `timeout(1)`); `run.exitCode` keeps the real value.
    exitCode: row.status === 'timeout' && row.exitCode === null ? TIMEOUT_EXIT_CODE : row.exitCode,
    compilationError: row.compilationError === null ? null : base64 ? Buffer.from(row.compilationError).toString('base64') : row.compilationError,
    verdict: (row.verdict as ExecutionJson['verdict']) ?? null,
    signal: row.signal,
    cpuMs: row.cpuMs,
    wallMs: row.wallMs,
    memoryKb: row.memoryKb,
    truncated: row.truncated,
    compile,
    run: ran
      ? {
          status: row.verdict as StageJson['status'],
          stdout: text(row.stdout ?? Buffer.alloc(0))!,
          stderr: text(row.stderr ?? Buffer.alloc(0))!,
          exitCode: row.exitCode,
          signal: row.signal,
          cpuMs: row.cpuMs!,
          wallMs: row.wallMs!,
          memoryKb: row.memoryKb!,
          truncated: row.truncated,
        }
      : null,
    failureReason: row.failureReason,
    ...artifactFields(row.artifacts as StoredArtifacts | null),
    projectId: row.projectId,
    base64Encoded: base64,
    createdAt: row.createdAt.toISOString(),
    startedAt: row.startedAt?.toISOString() ?? null,
    completedAt: row.completedAt?.toISOString() ?? null,
  };
}

/** The stored artifacts as response fields; each one absent when it was not asked for. */
function artifactFields(a: StoredArtifacts | null): Pick<ExecutionJson, 'outputFiles' | 'refusedOutputFiles' | 'timeline'> {
  if (!a) return {};
  const out: Pick<ExecutionJson, 'outputFiles' | 'refusedOutputFiles' | 'timeline'> = {};
  if (a.outputFiles) out.outputFiles = a.outputFiles;
  if (a.refusedOutputFiles) out.refusedOutputFiles = a.refusedOutputFiles;
  if (a.timeline) out.timeline = a.timeline;
  return out;
}
