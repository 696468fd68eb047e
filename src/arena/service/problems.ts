/**
 * Problems: listing with stats and the caller's marks, the detail view (never hidden data),
 * package import (one transaction: the row and every file, or nothing), native problems, and
 * the author's verify table (the package's own programs judged through the queue).
 */
import { runGenerator } from '../judge/generator.js';
import { and, count, desc, eq, ilike, inArray, or, type SQL, sql } from 'drizzle-orm';
import type { Config } from '../../config/config.js';
import type { Db } from '../../db/client.js';
import { problemFiles, problems, submissionGroupScores, submissions } from '../../db/schema.js';
import type { EngineClient } from '../../engine/client.js';
import { CallerError, ErrorCodes } from '../../errors.js';
import type { AuthUser } from '../../server/context.js';
import type { LoadedProblemPackage, ProblemPackage, TestGroup } from '../packages/model.js';
import { deriveTimeLimit } from '../judge/verify.js';
import { BIG5, type SubmissionVerdict } from '../verdicts.js';
import { canManage, canSee, isAdmin, problemNotFound, requireAuthor, requireManage } from './access.js';
import type {
  ImportOptions,
  ImportResult,
  NativeProblemInput,
  Pagination,
  ProblemDetail,
  ProblemLimits,
  ProblemListQuery,
  ProblemPatch,
  ProblemServiceContract,
  ProblemSummary,
  PublicTest,
  SubmissionState,
  VerifyRow,
} from './contract.js';
import type { CompileChecks } from './compile-check.js';
import { buildNativeProblem } from './native.js';
import { checkCustomPrograms, type PackageSource, problemFacts, type ProblemFacts, readPackage, storedModel } from './package-import.js';
import { fileRows, packageFileMap } from './package-store.js';
import { cut, type ProblemRow, type StoredResult } from './views.js';

export interface ProblemServiceDeps {
  db: Db;
  engine: EngineClient;
  config: Config;
  /** Compiles custom validators at import (here, or on a worker through the queue). */
  compileChecks: CompileChecks;
  /** Queues the package's programs as `verify` submissions (the submission service). */
  enqueueVerify: (caller: AuthUser, problem: ProblemRow, programs: { path: string; language: string; files: { name: string; content: string }[]; mainFile?: string }[]) => Promise<void>;
}

type StoredLimits = ProblemLimits & { timeDefaulted?: boolean };

const FILE_BATCH = 200;

export class ProblemService implements ProblemServiceContract {
  constructor(private readonly deps: ProblemServiceDeps) {}

  private get db() {
    return this.deps.db;
  }

  async bySlug(slug: string): Promise<ProblemRow | undefined> {
    const [row] = await this.db.select().from(problems).where(eq(problems.slug, slug));
    return row;
  }

  async byId(id: string): Promise<ProblemRow | undefined> {
    if (!/^[0-9a-f-]{36}$/i.test(id)) return undefined;
    const [row] = await this.db.select().from(problems).where(eq(problems.id, id));
    return row;
  }

  /** The row if the caller may see it, else 404. */
  async visible(caller: AuthUser | null, slug: string): Promise<ProblemRow> {
    const row = await this.bySlug(slug);
    if (!row || !canSee(caller, row)) throw problemNotFound(slug);
    return row;
  }

  async list(caller: AuthUser | null, q: ProblemListQuery): Promise<{ problems: ProblemSummary[]; pagination: Pagination }> {
    const where: SQL[] = [];
    if (q.includeDrafts && isAdmin(caller)) {
      // everything
    } else if (q.includeDrafts && caller?.role === 'author') where.push(or(eq(problems.published, true), eq(problems.authorId, caller.id))!);
    else where.push(eq(problems.published, true));
    if (q.difficulty) where.push(eq(problems.difficulty, q.difficulty));
    if (q.tag) where.push(sql`${problems.tags} @> ${JSON.stringify([q.tag])}::jsonb`);
    if (q.q) {
      const like = `%${q.q.replace(/[\\%_]/g, (c) => `\\${c}`)}%`;
      where.push(or(ilike(problems.title, like), ilike(problems.slug, like))!);
    }
    const cond = and(...where);
    const [rows, [total]] = await Promise.all([
      this.db.select().from(problems).where(cond).orderBy(desc(problems.createdAt), problems.slug).limit(q.limit).offset((q.page - 1) * q.limit),
      this.db.select({ n: count() }).from(problems).where(cond),
    ]);
    const n = Number(total?.n ?? 0);
    const extras = await this.summaryExtras(caller, rows);
    return { problems: rows.map((r) => this.summary(r, extras)), pagination: { total: n, page: q.page, limit: q.limit, pages: Math.ceil(n / q.limit) } };
  }

  /** Stats, the caller's marks and IOI scores for some problems, in three queries. */
  private async summaryExtras(caller: AuthUser | null, rows: ProblemRow[]) {
    const ids = rows.map((r) => r.id);
    const stats = new Map<string, ProblemSummary['stats']>();
    const marks = new Map<string, 'solved' | 'attempted'>();
    const scores = new Map<string, number>();
    if (ids.length === 0) return { stats, marks, scores };
    // A running contest's submissions count only once it has ended: the global figures must not
    // reveal what a frozen scoreboard hides.
    const counted = and(
      inArray(submissions.problemId, ids),
      eq(submissions.kind, 'submission'),
      eq(submissions.status, 'done'),
      sql`${submissions.verdict} <> 'JE'`,
      sql`not exists (select 1 from contest_submissions cs join contests c on c.id = cs.contest_id where cs.submission_id = ${submissions.id} and c.ends_at > now())`,
    );
    const statRows = await this.db
      .select({
        problemId: submissions.problemId,
        judged: count(),
        accepted: sql<number>`count(*) filter (where ${submissions.verdict} = 'AC')`,
        solvedBy: sql<number>`count(distinct ${submissions.userId}) filter (where ${submissions.verdict} = 'AC')`,
        fastestMs: sql<number | null>`min(${submissions.cpuMs}) filter (where ${submissions.verdict} = 'AC')`,
      })
      .from(submissions)
      .where(counted)
      .groupBy(submissions.problemId);
    for (const s of statRows) {
      const judged = Number(s.judged);
      const accepted = Number(s.accepted);
      stats.set(s.problemId, { submissions: judged, accepted, acceptanceRate: judged ? accepted / judged : null, solvedBy: Number(s.solvedBy), fastestMs: s.fastestMs === null ? null : Number(s.fastestMs) });
    }
    if (caller) {
      const mine = await this.db
        .select({ problemId: submissions.problemId, solved: sql<boolean>`bool_or(${submissions.verdict} = 'AC' and ${submissions.status} = 'done')` })
        .from(submissions)
        .where(and(inArray(submissions.problemId, ids), eq(submissions.userId, caller.id), eq(submissions.kind, 'submission')))
        .groupBy(submissions.problemId);
      for (const m of mine) marks.set(m.problemId, m.solved ? 'solved' : 'attempted');
      // The IOI rule: best score per group over the caller's submissions, summed.
      const best = this.db
        .select({ problemId: submissionGroupScores.problemId, best: sql<number>`max(${submissionGroupScores.score})`.as('best') })
        .from(submissionGroupScores)
        .where(and(inArray(submissionGroupScores.problemId, ids), eq(submissionGroupScores.userId, caller.id)))
        .groupBy(submissionGroupScores.problemId, submissionGroupScores.groupName)
        .as('best');
      const sums = await this.db
        .select({ problemId: best.problemId, score: sql<number>`sum(${best.best})` })
        .from(best)
        .groupBy(best.problemId);
      for (const s of sums) scores.set(s.problemId, Math.round(Number(s.score) * 1e9) / 1e9);
    }
    return { stats, marks, scores };
  }

  private summary(r: ProblemRow, x: Awaited<ReturnType<ProblemService['summaryExtras']>>): ProblemSummary {
    const scoring = r.type === 'scoring';
    return {
      id: r.id,
      slug: r.slug,
      title: r.title,
      difficulty: r.difficulty as ProblemSummary['difficulty'],
      tags: r.tags,
      published: r.published,
      type: scoring ? 'scoring' : 'pass-fail',
      interactive: r.interactive,
      stats: x.stats.get(r.id) ?? { submissions: 0, accepted: 0, acceptanceRate: null, solvedBy: 0, fastestMs: null },
      mark: x.marks.get(r.id) ?? null,
      myScore: scoring && x.marks.has(r.id) ? Math.min(r.maxScore, x.scores.get(r.id) ?? 0) : null,
      maxScore: r.maxScore,
      authorId: r.authorId,
      createdAt: r.createdAt.toISOString(),
      updatedAt: r.updatedAt.toISOString(),
    };
  }

  async get(caller: AuthUser | null, slug: string, opts: { lang?: string } = {}): Promise<ProblemDetail> {
    return this.detail(caller, await this.visible(caller, slug), opts.lang);
  }

  /** A problem's view for a caller the contest service let in (a draft in a running contest). */
  async detailOf(caller: AuthUser | null, row: ProblemRow, lang?: string): Promise<ProblemDetail> {
    return this.detail(caller, row, lang);
  }

  private async detail(caller: AuthUser | null, row: ProblemRow, lang?: string): Promise<ProblemDetail> {
    const [summary] = [this.summary(row, await this.summaryExtras(caller, [row]))];
    const statements = row.statements as { language: string; markdown: string }[];
    const statement = statements.find((s) => s.language === lang) ?? statements.find((s) => s.language === 'en') ?? statements[0] ?? { language: 'en', markdown: '' };
    const model = row.model as ProblemPackage;
    const shown = shownTests(model, row.publicTests);
    const paths = shown.flatMap((t) => [t.input, t.answer, t.interaction].filter((p): p is string => p !== null));
    const contents = new Map<string, Buffer>();
    if (paths.length) {
      const rows = await this.db
        .select({ path: problemFiles.path, content: problemFiles.content })
        .from(problemFiles)
        .where(and(eq(problemFiles.problemId, row.id), eq(problemFiles.version, row.version), inArray(problemFiles.path, paths)));
      for (const f of rows) contents.set(f.path, f.content);
    }
    const text = (p: string | null) => (p && contents.has(p) ? cut(contents.get(p)!).text : '');
    const toPublic = (t: ShownTest): PublicTest => {
      const out: PublicTest = { name: t.name, kind: t.kind, input: text(t.input), output: text(t.answer) };
      if (t.interaction) out.interaction = text(t.interaction);
      return out;
    };
    const limits = { ...(row.limits as StoredLimits) };
    delete limits.timeDefaulted;
    const languages = (await this.deps.engine.listLanguages()).filter((l) => l.available).map((l) => l.id);
    const detail: ProblemDetail = {
      ...summary,
      statement,
      statementLanguages: statements.map((s) => s.language),
      limits,
      samples: shown.filter((t) => t.kind === 'sample').map(toPublic),
      publicTests: shown.filter((t) => t.kind === 'public').map(toPublic),
      languages,
      version: row.version,
    };
    if (canManage(caller, row)) detail.warnings = row.warnings;
    return detail;
  }

  async importPackage(caller: AuthUser | null, source: PackageSource, opts: ImportOptions = {}): Promise<ImportResult> {
    if (caller) requireAuthor(caller);
    if (!('zip' in source) && caller) throw new CallerError(ErrorCodes.usage, 'importing a folder is for the command line only');
    const read = readPackage(source, this.deps.config, opts.slug);
    const extra = await checkCustomPrograms(read, this.deps.compileChecks);
    // DMOJ generators write their cases once, here, where the engine runs in this process
    // (embedded, the CLI). A cluster API replica has no engine: those cases are stored as they
    // are, judged JE, and the import says so (import such packages with the CLI on a worker host).
    const engine = this.deps.compileChecks.localEngine;
    const pkg: LoadedProblemPackage = engine ? await runGenerator({ engine, problem: read.problem, files: read.files }) : read;
    const facts = problemFacts(pkg.problem, this.deps.config, extra);
    const files = packageFileMap(read.files as LoadedProblemPackage['files'] & { walkFiles?: (rel: string) => string[] });
    // Files the model names that the package tree does not hold (a generator's output) are read
    // through the loaded package's files.
    for (const c of allCases(pkg.problem.testData)) {
      for (const p of [c.input, c.answer]) if (p && !files.has(p)) files.set(p, pkg.files.read(p));
    }
    const { row, created } = await this.store(caller, pkg.problem, facts, files, { publish: opts.publish ?? false, replace: opts.replace ?? false });
    return { problem: await this.detail(caller ?? SYSTEM_VIEWER, row), created, warnings: facts.warnings };
  }

  /** Inserts or replaces a problem and its files in one transaction. */
  private async store(
    caller: AuthUser | null,
    problem: ProblemPackage,
    facts: ProblemFacts,
    files: ReadonlyMap<string, Buffer>,
    opts: { publish: boolean; replace: boolean },
  ): Promise<{ row: ProblemRow; created: boolean }> {
    const model = storedModel(problem, facts);
    const values = {
      title: facts.title,
      difficulty: facts.difficulty,
      tags: facts.tags,
      type: facts.type,
      interactive: facts.interactive,
      statements: facts.statements,
      limits: facts.limits,
      model,
      maxScore: facts.maxScore,
      publicTests: facts.publicTests,
      warnings: facts.warnings,
    };
    return this.db.transaction(async (tx) => {
      const [existing] = await tx.select().from(problems).where(eq(problems.slug, problem.slug)).for('update');
      let row: ProblemRow;
      let created = false;
      if (existing) {
        if (!opts.replace) throw new CallerError(ErrorCodes.problemExists, `problem ${problem.slug} exists (import with replace to give it a new version)`, { slug: problem.slug });
        if (caller) requireManage(caller, existing);
        [row] = (await tx
          .update(problems)
          .set({ ...values, version: existing.version + 1, updatedAt: new Date(), ...(opts.publish ? { published: true } : {}) })
          .where(eq(problems.id, existing.id))
          .returning()) as [ProblemRow];
        await tx.delete(problemFiles).where(eq(problemFiles.problemId, existing.id));
      } else {
        [row] = (await tx
          .insert(problems)
          .values({ ...values, slug: problem.slug, authorId: caller?.id ?? null, published: opts.publish, version: 1 })
          .returning()) as [ProblemRow];
        created = true;
      }
      const all = fileRows(row.id, row.version, files);
      for (let i = 0; i < all.length; i += FILE_BATCH) await tx.insert(problemFiles).values(all.slice(i, i + FILE_BATCH));
      return { row, created };
    });
  }

  async create(caller: AuthUser, input: NativeProblemInput): Promise<ProblemDetail> {
    requireAuthor(caller);
    const built = buildNativeProblem(input);
    const facts = { ...problemFacts(built.problem, this.deps.config), publicTests: built.publicTests };
    const { row } = await this.store(caller, built.problem, facts, built.files, { publish: false, replace: false });
    return this.detail(caller, row);
  }

  async update(caller: AuthUser, slug: string, patch: ProblemPatch): Promise<ProblemDetail> {
    const row = await this.managed(caller, slug);
    const set: Partial<typeof problems.$inferInsert> = { updatedAt: new Date() };
    if (patch.title !== undefined) set.title = patch.title;
    if (patch.difficulty !== undefined) set.difficulty = patch.difficulty;
    if (patch.tags !== undefined) set.tags = patch.tags;
    if (patch.statement !== undefined) {
      const statements = [...(row.statements as { language: string; markdown: string }[])];
      const i = Math.max(0, statements.findIndex((s) => s.language === 'en'));
      statements[i] = { language: statements[i]?.language ?? 'en', markdown: patch.statement };
      set.statements = statements;
    }
    const limitChange = patch.timeLimitMs !== undefined || patch.memoryLimitMb !== undefined;
    if (limitChange) {
      // The judge's limits live in the model, which a worker caches per (problem, version): a
      // change of limits is a new version (the files move to it in the same transaction).
      const model = row.model as ProblemPackage;
      const limits = { ...(row.limits as StoredLimits) };
      const mlimits = { ...model.limits };
      if (patch.timeLimitMs !== undefined) {
        limits.timeMs = patch.timeLimitMs;
        limits.timeDefaulted = false;
        mlimits.timeSeconds = patch.timeLimitMs / 1000;
      }
      if (patch.memoryLimitMb !== undefined) {
        limits.memoryMb = patch.memoryLimitMb;
        mlimits.memoryMiB = patch.memoryLimitMb;
      }
      set.limits = limits;
      set.model = { ...model, limits: mlimits };
      set.version = row.version + 1;
    }
    const updated = await this.db.transaction(async (tx) => {
      const [u] = await tx.update(problems).set(set).where(and(eq(problems.id, row.id), eq(problems.version, row.version))).returning();
      if (!u) throw new CallerError(ErrorCodes.problemExists, `problem ${slug} changed meanwhile; try again`, { slug });
      if (limitChange) await tx.update(problemFiles).set({ version: u.version }).where(eq(problemFiles.problemId, row.id));
      return u;
    });
    return this.detail(caller, updated);
  }

  async setPublished(caller: AuthUser, slug: string, published: boolean): Promise<ProblemDetail> {
    const row = await this.managed(caller, slug);
    const [u] = await this.db.update(problems).set({ published, updatedAt: new Date() }).where(eq(problems.id, row.id)).returning();
    return this.detail(caller, u!);
  }

  async remove(caller: AuthUser, slug: string): Promise<void> {
    const row = await this.managed(caller, slug);
    await this.db.delete(problems).where(eq(problems.id, row.id));
  }

  /** The row when the caller may manage it; 404 when it may not even see it, 403 otherwise. */
  private async managed(caller: AuthUser, slug: string): Promise<ProblemRow> {
    const row = await this.visible(caller, slug);
    requireManage(caller, row);
    return row;
  }

  async startVerify(caller: AuthUser, slug: string): Promise<VerifyRow[]> {
    const row = await this.managed(caller, slug);
    const model = row.model as ProblemPackage;
    const programs: Parameters<ProblemServiceDeps['enqueueVerify']>[2] = [];
    const files = await this.db
      .select({ path: problemFiles.path, content: problemFiles.content })
      .from(problemFiles)
      .where(and(eq(problemFiles.problemId, row.id), eq(problemFiles.version, row.version), sql`${problemFiles.path} like 'submissions/%'`));
    const byPath = new Map(files.map((f) => [f.path, f.content]));
    for (const folder of model.submissions) {
      for (const p of folder.programs) {
        if (!p.language) continue;
        const marker = `/${p.name}/`;
        const src = p.files.map((f) => {
          const i = f.indexOf(marker);
          return { name: p.files.length === 1 ? f.slice(f.lastIndexOf('/') + 1) : i >= 0 ? f.slice(i + marker.length) : f.slice(f.lastIndexOf('/') + 1), content: (byPath.get(f) ?? Buffer.alloc(0)).toString('utf8') };
        });
        const main = src.find((f) => /^main\./.test(f.name))?.name;
        programs.push({ path: p.path, language: p.language, files: src, ...(main ? { mainFile: main } : {}) });
      }
    }
    await this.deps.enqueueVerify(caller, row, programs);
    return this.verifyRows(row);
  }

  async verifyTable(caller: AuthUser, slug: string): Promise<VerifyRow[]> {
    return this.verifyRows(await this.managed(caller, slug));
  }

  private async verifyRows(row: ProblemRow): Promise<VerifyRow[]> {
    const model = row.model as ProblemPackage;
    const subs = await this.db
      .select()
      .from(submissions)
      .where(and(eq(submissions.problemId, row.id), eq(submissions.kind, 'verify')))
      .orderBy(desc(submissions.createdAt));
    const latest = new Map<string, (typeof subs)[number]>();
    for (const s of subs) if (s.verifyProgram && !latest.has(s.verifyProgram)) latest.set(s.verifyProgram, s);
    const out: VerifyRow[] = [];
    for (const folder of model.submissions) {
      for (const p of folder.programs) {
        const expected = folder.expected ?? folder.folder;
        const s = latest.get(p.path);
        if (!s) {
          out.push({ program: p.path, language: p.language, expected, submissionId: null, status: 'not-run', verdict: null, score: null, timeMs: null, ok: null, ...(p.language ? {} : { message: 'unknown language (by extension)' }) });
          continue;
        }
        const status = s.status as SubmissionState;
        const verdict = status === 'done' ? (s.verdict as SubmissionVerdict) : null;
        const r: VerifyRow = { program: p.path, language: p.language, expected, submissionId: s.id, status, verdict, score: status === 'done' ? s.score : null, timeMs: s.cpuMs, ok: null };
        if (verdict) {
          const note = verifyNote(folder.expected, verdict, s.score, s.maxScore);
          r.ok = note === null;
          if (note) r.message = note;
          const tl = (s.result as StoredResult | null)?.timeLimitMs;
          if (tl !== undefined && r.ok) r.message = `time limit ${tl} ms${(row.limits as StoredLimits).timeDefaulted ? ' (the default: the package sets none)' : ''}`;
        }
        out.push(r);
      }
    }
    // No time limit in the package: say which one the accepted programs derive (the Kattis
    // rule, as `muscode problem verify`), once they are all judged.
    if ((row.limits as StoredLimits).timeDefaulted) {
      const accepted = out.filter((r) => model.submissions.some((f) => f.folder === 'accepted' && f.programs.some((p) => p.path === r.program)));
      if (accepted.length && accepted.every((r) => r.verdict === 'AC' && r.timeMs !== null)) {
        const legacy = model.version === 'legacy';
        const slowest = Math.max(...accepted.map((r) => r.timeMs!));
        const seconds = deriveTimeLimit(slowest, model.limits.acToTimeLimit ?? (legacy ? 5 : 2), model.limits.timeResolution ?? 1);
        for (const r of accepted) r.message = `derived time limit ${seconds} s (slowest accepted test ${slowest} ms); the judge applies ${(row.limits as StoredLimits).timeMs} ms until the package sets one`;
      }
    }
    return out;
  }
}

/** Why a verify program's result does not match its folder (null: it matches). Big 5 as Kattis. */
function verifyNote(expected: 'AC' | 'WA' | 'TLE' | 'RTE' | 'PAC' | null, verdict: SubmissionVerdict, score: number, maxScore: number): string | null {
  if (verdict === 'JE') return 'judge error';
  if (verdict === 'CE') return 'compile error';
  if (expected === null) return null;
  if (expected === 'PAC') return score > 0 && score < maxScore ? null : `score ${score} is not partial`;
  return BIG5[verdict] === expected ? null : `expected ${expected}, got ${verdict}`;
}

/** Imports by the platform itself (CLI, startup) are shown as an admin would see them. */
const SYSTEM_VIEWER: AuthUser = { id: '00000000-0000-0000-0000-000000000000', username: 'system', role: 'admin' };

interface ShownTest {
  name: string;
  kind: 'sample' | 'public';
  input: string | null;
  answer: string | null;
  interaction: string | null;
}

/** Sample and public tests, in judging order. */
export function shownTests(model: ProblemPackage, publicTests: readonly string[]): ShownTest[] {
  const out: ShownTest[] = [];
  const walk = (g: TestGroup) => {
    for (const c of g.cases) {
      const kind = g.kind === 'sample' ? 'sample' : publicTests.includes(c.name) ? 'public' : null;
      if (kind) out.push({ name: c.name, kind, input: c.input, answer: c.answer, interaction: c.interaction });
    }
    for (const sub of g.groups) walk(sub);
  };
  for (const g of model.testData) walk(g);
  return out;
}

function allCases(groups: readonly TestGroup[]): TestGroup['cases'] {
  return groups.flatMap((g) => [...g.cases, ...allCases(g.groups)]);
}
