import { z } from 'zod';
import type { AppContext } from '../../server/context.js';
import { oneProgram, oneProgramMessage, programFields, slugParam } from './schemas.js';

/** Request and response schemas of /contests (src/arena/contests/service.ts; OpenAPI is generated from them). */

const iso = z.string().describe('ISO 8601');
const FORMATS = ['icpc', 'ioi'] as const;
const VISIBILITIES = ['public', 'invite'] as const;
const username = z.string().min(3).max(50);

export const contestSlugParam = z.object({ slug: slugParam.shape.slug.describe('the contest slug') });
export const contestProblemParam = contestSlugParam.extend({ label: z.string().min(1).max(5).regex(/^[A-Za-z]+$/).describe('the problem label (A, B, …)') });

const contestFields = {
  title: z.string().min(1).max(300),
  description: z.string().max(100_000).optional(),
  format: z.enum(FORMATS).describe('`icpc`: solved, then penalty; `ioi`: the sum of the best per subtask'),
  startsAt: z.iso.datetime({ offset: true }).describe('ISO 8601'),
  endsAt: z.iso.datetime({ offset: true }).describe('ISO 8601, after startsAt'),
  freezeMinutes: z.number().int().min(0).max(100_000).optional().describe('the last N minutes show others’ results as pending (default 0: no freeze)'),
  penaltyMinutes: z.number().int().min(0).max(1000).optional().describe('ICPC: minutes per rejected try before the first AC (default 20)'),
  visibility: z.enum(VISIBILITIES).optional().describe('`invite`: only the usernames in `invited` may see and join it'),
  invited: z.array(username).max(10_000).optional(),
  rated: z.boolean().optional().describe('after the end, moves the live participants’ (duel) ratings once: each pair one game, one Glicko-2 period (default false)'),
  problems: z.array(slugParam.shape.slug).max(26).describe('problem slugs in order, labelled A, B, …'),
};

export const contestCreateBody = z
  .object({ slug: slugParam.shape.slug, ...contestFields })
  .strict()
  .describe('A contest');

export const contestPatchBody = z
  .object({ ...contestFields, format: contestFields.format.optional(), title: contestFields.title.optional(), startsAt: contestFields.startsAt.optional(), endsAt: contestFields.endsAt.optional(), problems: contestFields.problems.optional() })
  .strict()
  .refine((p) => Object.keys(p).length > 0, { message: 'nothing to change' });

export function contestSubmissionBodyFor(l: AppContext['config']['limits']) {
  return z
    .object({ problem: z.string().min(1).max(100).describe('the problem’s label (A, B, …) or slug'), ...programFields(l) })
    .strict()
    .refine(oneProgram, oneProgramMessage);
}

export const contestSummarySchema = z.object({
  slug: z.string(),
  title: z.string(),
  format: z.enum(FORMATS),
  startsAt: iso,
  endsAt: iso,
  phase: z.enum(['upcoming', 'running', 'ended']).describe('by the database’s clock'),
  visibility: z.enum(VISIBILITIES),
  freezeMinutes: z.number().int(),
  penaltyMinutes: z.number().int(),
  participants: z.number().int(),
  rated: z.boolean(),
});

export const contestDetailSchema = contestSummarySchema.extend({
  description: z.string(),
  now: iso.describe('the server’s time, for countdowns'),
  ownerId: z.string().nullable(),
  canManage: z.boolean(),
  me: z.object({ virtual: z.boolean(), startsAt: iso, endsAt: iso }).nullable().describe('the caller’s participation and window'),
  problems: z.array(z.object({ label: z.string(), slug: z.string(), title: z.string() })).describe('empty before the start (except for its managers)'),
});

const icpcCell = z.object({
  solved: z.boolean(),
  tries: z.number().int(),
  pending: z.number().int(),
  minute: z.number().int().nullable(),
  penalty: z.number().int(),
  first: z.boolean(),
  frozen: z.boolean(),
});
const ioiCell = z.object({ score: z.number(), tries: z.number().int(), pending: z.number().int(), frozen: z.boolean() });
const rowBase = { rank: z.number().int(), userId: z.string(), username: z.string(), virtual: z.boolean() };

export const scoreboardSchema = z.discriminatedUnion('format', [
  z.object({
    format: z.literal('icpc'),
    frozen: z.boolean(),
    problems: z.array(z.string()),
    now: iso,
    rows: z.array(z.object({ ...rowBase, solved: z.number().int(), penalty: z.number().int(), lastAcMinute: z.number().int().nullable(), cells: z.record(z.string(), icpcCell) })),
  }),
  z.object({
    format: z.literal('ioi'),
    frozen: z.boolean(),
    problems: z.array(z.string()),
    now: iso,
    rows: z.array(z.object({ ...rowBase, total: z.number(), cells: z.record(z.string(), ioiCell) })),
  }),
]);

export const contestStatsSchema = z.array(
  z.object({
    label: z.string(),
    submissions: z.number().int().describe('judged (not CE, not JE)'),
    accepted: z.number().int(),
    solvedBy: z.number().int(),
    acceptanceRate: z.number().nullable(),
    fastestMs: z.number().int().nullable().describe('the earliest AC, ms from the participant’s start'),
  }),
);
