import { z } from 'zod';
import type { AppContext } from '../../server/context.js';
import { MAX_NATIVE_TESTS } from '../../server/body-limits.js';
import { SUBMISSION_STATES, SUBMISSION_VERDICTS, TEST_VERDICTS } from '../verdicts.js';
import type * as C from '../service/contract.js';

/**
 * The Arena's request and response schemas, mirroring src/arena/service/contract.ts (OpenAPI is
 * generated from them). Responses are serialized through these schemas, so a field the contract
 * does not list never leaves the server (zod drops unknown keys): a second line of defence for
 * hidden test data, after the services' views.
 */

const DIFFICULTIES = ['easy', 'medium', 'hard'] as const satisfies readonly C.Difficulty[];
const KINDS = ['submission', 'run'] as const satisfies readonly C.SubmissionKind[];
const VISIBILITIES = ['sample', 'public', 'hidden'] as const satisfies readonly C.TestVisibility[];

export const slugParam = z.object({
  slug: z
    .string()
    .min(1)
    .max(100)
    .regex(/^[a-z0-9][a-z0-9_-]*$/, 'lowercase letters, digits, - and _')
    .describe('the problem slug'),
});

const iso = z.string().describe('ISO 8601');

export const paginationSchema = z.object({ total: z.number().int(), page: z.number().int(), limit: z.number().int(), pages: z.number().int() });

export const problemSummarySchema = z
  .object({
    id: z.string(),
    slug: z.string(),
    title: z.string(),
    difficulty: z.enum(DIFFICULTIES),
    tags: z.array(z.string()),
    published: z.boolean(),
    type: z.enum(['pass-fail', 'scoring']).describe('`scoring`: subtasks and partial scores (IOI rule)'),
    interactive: z.boolean(),
    stats: z.object({
      submissions: z.number().int().describe('judged submissions (not runs, not JE)'),
      accepted: z.number().int(),
      acceptanceRate: z.number().nullable().describe('accepted / submissions, null when none'),
      solvedBy: z.number().int(),
      fastestMs: z.number().int().nullable().describe('the least CPU time of an accepted submission, ms; null when none'),
    }),
    mark: z.enum(['solved', 'attempted']).nullable().describe("the caller's mark; null when anonymous or never submitted"),
    myScore: z.number().nullable().describe("scoring problems: the caller's IOI score (best per group over all submissions)"),
    maxScore: z.number(),
    authorId: z.string().nullable(),
    createdAt: iso,
    updatedAt: iso,
  })
  .describe('A problem in a list');

const publicTestSchema = z.object({
  name: z.string(),
  kind: z.enum(['sample', 'public']),
  input: z.string(),
  output: z.string(),
  interaction: z.string().optional().describe('interactive samples: the transcript'),
});

export const problemDetailSchema = problemSummarySchema
  .extend({
    statement: z.object({ language: z.string(), markdown: z.string().describe('Markdown with $…$ / $$…$$ math') }),
    statementLanguages: z.array(z.string()),
    limits: z.object({
      timeMs: z.number().int(),
      timeMsByLanguage: z.record(z.string(), z.number().int()),
      memoryMb: z.number(),
      outputKb: z.number(),
    }),
    samples: z.array(publicTestSchema),
    publicTests: z.array(publicTestSchema),
    languages: z.array(z.string()).describe('language ids a submission may use'),
    warnings: z.array(z.string()).optional().describe("import warnings; the problem's author and admins only"),
    version: z.number().int().describe('changes with every package import'),
  })
  .describe('A problem: statement, limits, samples and public tests (never hidden data)');

export const importResultSchema = z.object({ problem: problemDetailSchema, created: z.boolean(), warnings: z.array(z.string()) });

const verdictDetail = z.string().describe('presentation, cpu, wall, oom, near-limit, `exit N`, `signal S`');

export const submissionTestSchema = z.object({
  index: z.number().int().describe('position in judging order, from 1'),
  name: z.string(),
  group: z.string(),
  visibility: z.enum(VISIBILITIES),
  verdict: z.enum([...TEST_VERDICTS, 'pending']),
  score: z.number().describe('fraction 0..1 earned'),
  cpuMs: z.number().nullable(),
  wallMs: z.number().nullable(),
  memoryKb: z.number().nullable(),
  detail: verdictDetail.optional(),
  message: z.string().optional().describe('checker feedback (the public form for hidden tests), or why it was skipped'),
  input: z.string().optional().describe('sample and public tests only'),
  expected: z.string().optional().describe('sample and public tests only'),
  output: z.string().optional().describe('sample and public tests only'),
  truncated: z.boolean().optional(),
});

const groupSchema = z.object({ path: z.string(), verdict: z.enum([...TEST_VERDICTS, 'pending']), score: z.number(), maxScore: z.number() });

export const submissionSummarySchema = z
  .object({
    id: z.string(),
    kind: z.enum(KINDS),
    problemId: z.string(),
    problemSlug: z.string(),
    problemTitle: z.string(),
    userId: z.string(),
    username: z.string(),
    language: z.string(),
    status: z.enum(SUBMISSION_STATES),
    verdict: z.enum(SUBMISSION_VERDICTS).nullable().describe('set when status is `done`'),
    score: z.number(),
    maxScore: z.number(),
    cpuMs: z.number().nullable().describe('max over tests'),
    memoryKb: z.number().nullable().describe('max over tests'),
    testsDone: z.number().int(),
    testsTotal: z.number().int(),
    createdAt: iso,
    judgedAt: iso.nullable(),
  })
  .describe('A submission in a list');

const fileSchema = z.object({ name: z.string(), content: z.string() });

export const submissionViewSchema = submissionSummarySchema
  .extend({
    tests: z.array(submissionTestSchema),
    groups: z.array(groupSchema),
    compileMessage: z.string().optional().describe("on CE: the compiler's output"),
    firstFailure: z.string().optional().describe("the first failing test's name"),
    files: z.array(fileSchema).optional().describe("the submitted code: its owner, the problem's author and admins only"),
    queuePosition: z.number().int().nullable().optional(),
  })
  .describe('A submission with its per-test table');

export const verifyRowSchema = z.object({
  program: z.string(),
  language: z.string().nullable(),
  expected: z.string(),
  submissionId: z.string().nullable(),
  status: z.enum([...SUBMISSION_STATES, 'not-run']),
  verdict: z.enum(SUBMISSION_VERDICTS).nullable(),
  score: z.number().nullable(),
  timeMs: z.number().nullable(),
  ok: z.boolean().nullable().describe('null while judging'),
  message: z.string().optional(),
});

// ---- requests ----

const bool = z.enum(['true', 'false']).optional();
const page = z.coerce.number().int().min(1).max(100_000).default(1);
const limit = z.coerce.number().int().min(1).max(100).default(20);

export const problemListQuery = z.object({
  page,
  limit,
  difficulty: z.enum(DIFFICULTIES).optional(),
  tag: z.string().min(1).max(100).optional(),
  q: z.string().min(1).max(200).optional().describe('case-insensitive text in the title or slug'),
  drafts: bool.describe("authors and admins: include unpublished problems (an author's own; an admin's: all)"),
});

export const problemGetQuery = z.object({ lang: z.string().min(1).max(20).optional().describe('statement language') });

export const importQuery = z.object({
  publish: bool.describe('publish at once (default: a draft)'),
  replace: bool.describe("when the slug exists: replace its package (a new version), else PROBLEM_EXISTS"),
  slug: slugParam.shape.slug.optional().describe("slug instead of the archive's name"),
});

const title = z.string().min(1).max(200);
const tags = z.array(z.string().min(1).max(50)).max(20);

export function nativeProblemBodyFor(l: AppContext['config']['limits']) {
  return z
    .object({
      slug: slugParam.shape.slug,
      title,
      difficulty: z.enum(DIFFICULTIES),
      tags: tags.optional(),
      statement: z.string().max(1_000_000).describe('Markdown with $…$ math'),
      timeLimitMs: z.number().int().positive().optional(),
      memoryLimitMb: z.number().int().positive().optional(),
      checker: z
        .object({ name: z.string().min(1).max(50), options: z.record(z.string(), z.unknown()).optional() })
        .strict()
        .optional()
        .describe('`default` (Kattis tokens, case sensitive) or a DMOJ checker name with options'),
      tests: z
        .array(z.object({ input: z.string().max(l.jobBytes), output: z.string().max(l.jobBytes), kind: z.enum(VISIBILITIES) }).strict())
        .min(1)
        .max(MAX_NATIVE_TESTS),
    })
    .strict()
    .describe('A native problem: one statement, its tests inline, the default checker unless named');
}

export const problemPatchBody = z
  .object({
    title: title.optional(),
    difficulty: z.enum(DIFFICULTIES).optional(),
    tags: tags.optional(),
    statement: z.string().max(1_000_000).optional(),
    timeLimitMs: z.number().int().positive().optional(),
    memoryLimitMb: z.number().int().positive().optional(),
  })
  .strict()
  .refine((p) => Object.keys(p).length > 0, { message: 'nothing to change' });

export function programFields(l: AppContext['config']['limits']) {
  return {
    language: z.string().min(1).max(50).describe('language id or alias, see GET /languages'),
    code: z.string().max(l.jobBytes).optional().describe('the source of a single-file program'),
    files: z
      .array(z.object({ name: z.string().min(1).max(1000), content: z.string().max(l.jobBytes) }).strict())
      .min(1)
      .max(l.jobFiles)
      .optional()
      .describe(`a multi-file program, at most ${l.jobFiles} files`),
    mainFile: z.string().min(1).max(1000).optional(),
  };
}

export const oneProgram = (b: { code?: string; files?: unknown[] }) => (b.code === undefined) !== (b.files === undefined);
export const oneProgramMessage = { message: 'give either code or files', path: ['code'] };

export function submissionBodyFor(l: AppContext['config']['limits']) {
  return z
    .object({
      problemId: z.uuid().optional(),
      problemSlug: slugParam.shape.slug.optional(),
      ...programFields(l),
    })
    .strict()
    .refine((b) => (b.problemId === undefined) !== (b.problemSlug === undefined), { message: 'give either problemId or problemSlug', path: ['problemSlug'] })
    .refine(oneProgram, oneProgramMessage);
}

/** A submission in a duel: the duel gives the problem. */
export function duelSubmissionBodyFor(l: AppContext['config']['limits']) {
  return z.object(programFields(l)).strict().refine(oneProgram, oneProgramMessage);
}

export function runBodyFor(l: AppContext['config']['limits']) {
  return z
    .object({
      ...programFields(l),
      stdin: z.string().max(l.jobBytes).optional().describe('custom input: run once on it without judging (the answer is an execution, as from POST /execute)'),
    })
    .strict()
    .refine(oneProgram, oneProgramMessage);
}

export const submissionListQuery = z.object({
  page,
  limit,
  problem: z.string().min(1).max(100).optional().describe('a problem slug or id'),
  user: z.string().min(1).max(100).optional().describe('a user id, a username, or `me`'),
  verdict: z.enum(SUBMISSION_VERDICTS).optional(),
  kind: z.enum(KINDS).optional().describe('default `submission`'),
});

export const waitQuery = z.object({ wait: bool.describe('wait for the final verdict (at most the wait budget; then the current state)') });

/** Only the keys a schema lists (what zod's serializer keeps), without parsing: never throws. */
function pick<T extends object>(value: T, keys: readonly string[]): T {
  const out: Record<string, unknown> = {};
  for (const k of keys) if (k in value && (value as Record<string, unknown>)[k] !== undefined) out[k] = (value as Record<string, unknown>)[k];
  return out as T;
}
const TEST_KEYS = Object.keys(submissionTestSchema.shape);
const VIEW_KEYS = Object.keys(submissionViewSchema.shape);
const HIDDEN_DATA_KEYS = ['input', 'expected', 'output', 'truncated'];

/**
 * A test row as it may leave the server: the schema's fields only, and never input, expected or
 * output of a hidden test (the services already leave them out; this is the last check, also for
 * what passes no response schema: socket events).
 */
export function publicTestView(test: C.SubmissionTestView): C.SubmissionTestView {
  return pick(test, test.visibility === 'sample' || test.visibility === 'public' ? TEST_KEYS : TEST_KEYS.filter((k) => !HIDDEN_DATA_KEYS.includes(k)));
}

/** A submission view as it may leave the server (see publicTestView). */
export function publicSubmissionView(view: C.SubmissionView): C.SubmissionView {
  const out = pick(view, VIEW_KEYS);
  return { ...out, tests: (view.tests ?? []).map(publicTestView) };
}
