import { count, desc, eq, inArray } from 'drizzle-orm';
import { executions } from '../../db/schema.js';
import type { LanguageInfo } from '../../engine/languages/registry.js';
import { CallerError, ErrorCodes, MuscodeError } from '../../errors.js';
import { waitBudgetMs } from '../../executions/routes.js';
import type { ExecutionRow } from '../../executions/service.js';
import { QueueFullError } from '../../queue/queue.js';
import type { AppContext, AuthUser } from '../../server/context.js';
import { HttpCodes } from '../../server/http-errors.js';
import { byJudge0Id, COMPAT_LANGUAGES } from '../languages.js';
import { type CallbackResult, sendCallback } from './callback.js';
import { invalidFieldsMessage, selectFields } from './format.js';
import { presentSubmission, type SubmissionObject } from './present.js';
import { type Errors, type Judge0LanguageFacts, translateSubmission } from './request.js';
import { configInfo, type Judge0Settings, judge0Settings } from './settings.js';

/** Judge0 CE's "Multi-file program" (db/languages/active.rb). */
export const MULTI_FILE_ID = 89;

/** A Judge0 answer that is not a success: its status and body (null: an empty body, as Judge0's `head`). */
export class Judge0Reply extends Error {
  constructor(
    readonly status: number,
    readonly body: Record<string, unknown> | null,
  ) {
    super(`judge0 ${status}`);
  }
}

const notUtf8 = (what: string) => `some attributes for ${what} cannot be converted to UTF-8, use base64_encoded=true query parameter`;

/** A create's outcome: the token, or Judge0's 422 map. */
export type Created = { token: string; row: ExecutionRow } | { errors: Errors };

/**
 * Our errors on the way to a run, in Judge0's shape: a 422 field map for what the caller can fix
 * in the submission, a Judge0Reply for the rest (401 empty, 503 queue full, 429 limits).
 */
export function judge0ErrorOf(err: unknown): Errors | Judge0Reply {
  if (err instanceof QueueFullError) return new Judge0Reply(503, { error: 'queue is full' });
  if (!(err instanceof MuscodeError)) throw err;
  const field = (f: string): Errors => ({ [f]: [err.message] });
  switch (err.code) {
    case HttpCodes.unauthorized:
    case HttpCodes.invalidToken:
    case HttpCodes.tokenExpired:
      return new Judge0Reply(401, null);
    case HttpCodes.rateLimited:
    case HttpCodes.quotaExceeded:
      return new Judge0Reply(429, { error: err.message });
    case ErrorCodes.sourceTooLarge:
    case ErrorCodes.emptySource:
      return field('source_code');
    case ErrorCodes.stdinTooLarge:
      return field('stdin');
    case ErrorCodes.argsTooLarge:
      return field('command_line_arguments');
    case ErrorCodes.languageUnavailable:
      return field('language_id');
    case ErrorCodes.limitTooHigh:
    case ErrorCodes.invalidLimit: {
      const limit = (err.details as { limit?: string } | undefined)?.limit;
      const name = { cpuMs: 'cpu_time_limit', wallMs: 'wall_time_limit', memoryBytes: 'memory_limit', processes: 'max_processes_and_or_threads', fileBytes: 'max_file_size' }[limit ?? ''];
      return field(name ?? 'base');
    }
    case ErrorCodes.invalidFile:
    case ErrorCodes.invalidPath:
    case ErrorCodes.tooManyFiles:
    case ErrorCodes.duplicateFile:
      return field('additional_files');
    default:
      if (err instanceof CallerError) return field('base');
      throw err;
  }
}

/** The Judge0 API over the executions service: translation in, presentation out. */
export class Judge0Service {
  readonly settings: Judge0Settings;

  constructor(private readonly ctx: AppContext) {
    this.settings = judge0Settings(ctx.config);
  }

  /** Our languages that have a Judge0 id, as the engine sees them now (availability, version). */
  async languages(): Promise<{ id: number; name: string; is_archived: boolean; info: LanguageInfo }[]> {
    const infos = await this.ctx.engine.listLanguages();
    const out = [];
    for (const l of COMPAT_LANGUAGES) {
      const info = infos.find((i) => i.id === l.id);
      if (!info || !l.judge0) continue;
      out.push({ id: l.judge0.id, name: l.judge0.name(info.version ?? 'unknown'), is_archived: !info.available, info });
    }
    // 89, "Multi-file program": our unlisted `multifile` language, Bash scripts (available with Bash).
    const bash = infos.find((i) => i.id === 'bash');
    if (bash) out.push({ id: MULTI_FILE_ID, name: 'Multi-file program', is_archived: !bash.available, info: { ...bash, id: 'multifile', name: 'Multi-file program', compiled: true } });
    return out;
  }

  async languageById(id: number) {
    const langs = await this.languages();
    const l = langs.find((x) => x.id === id);
    if (!l) throw new Judge0Reply(404, null);
    const def = this.ctx.executions.languages.get(l.info.id);
    return {
      id: l.id,
      name: l.name,
      is_archived: l.is_archived,
      source_file: id === MULTI_FILE_ID ? null : def.sourceFile,
      compile_cmd: id === MULTI_FILE_ID ? '/usr/bin/bash compile' : def.compile ? def.compile.argv.filter((a) => a !== '{options}').join(' ') : null,
      run_cmd: id === MULTI_FILE_ID ? '/usr/bin/bash run' : def.run.argv.join(' '),
    };
  }

  private async facts(): Promise<{ lookup: (id: number) => Judge0LanguageFacts | undefined; name: (id: number) => string }> {
    const langs = await this.languages();
    return {
      lookup: (id) => {
        const l = langs.find((x) => x.id === id);
        if (!l) return undefined;
        const def = this.ctx.executions.languages.get(l.info.id);
        return {
          ourId: l.info.id,
          available: !l.is_archived,
          compiled: Boolean(def.compile),
          sourceFile: def.sourceFile,
          project: id === MULTI_FILE_ID,
          takesCompilerOptions: def.compile?.argv.includes('{options}') ?? false,
        };
      },
      name: (id) => langs.find((x) => x.id === id)?.name ?? byJudge0Id(id)?.judge0?.name('unknown') ?? `Unknown (${id})`,
    };
  }

  configInfo(): Record<string, unknown> {
    return configInfo(this.settings, this.ctx.config.QUEUE_USER_WAITING_MAX);
  }

  /** Validates and starts one submission; a callback, when asked for, is sent when it ends. */
  async create(user: AuthUser | null, params: Record<string, unknown>, base64: boolean, queueOwner: string): Promise<Created> {
    const { lookup } = await this.facts();
    const t = translateSubmission(params, base64, lookup, this.settings);
    if (!t.ok) return { errors: t.errors };
    let row: ExecutionRow;
    try {
      row = await this.ctx.executions.create(user, t.input, { queueOwner });
    } catch (err) {
      const mapped = judge0ErrorOf(err);
      if (mapped instanceof Judge0Reply) throw mapped;
      return { errors: mapped };
    }
    if (t.stored.callback_url) void this.callback(row.id, t.stored.callback_url).catch(() => undefined);
    return { token: row.id, row };
  }

  /**
   * Judge0 (isolate_job.rb#call_callback): when the job ends, PUT the default fields,
   * base64-encoded, to callback_url; 3 tries on network errors, 5 s each. Sent by the API
   * instance that accepted the submission (it waits on the bus like ?wait=true).
   */
  private async callback(id: string, url: string): Promise<CallbackResult | null> {
    const row = await this.ctx.executions.waitForFinal(id, waitBudgetMs(this.ctx) * 10);
    if (row.completedAt === null) return null;
    const body = await this.present(row, this.fields(undefined), true);
    // As in Judge0, a callback that cannot be delivered is dropped (the result stays readable by token).
    return sendCallback(url, body, this.settings.callbackAllowedHosts);
  }

  async present(row: ExecutionRow, fields: readonly string[], base64: boolean): Promise<SubmissionObject | null> {
    const { name } = await this.facts();
    return presentSubmission(row, { fields, base64, languageName: name, settings: this.settings });
  }

  /** The selected fields, or Judge0's 400 for unknown ones. */
  fields(param: string | undefined): string[] {
    const f = selectFields(param);
    if ('invalid' in f) throw new Judge0Reply(400, { error: invalidFieldsMessage(f.invalid) });
    return f.fields;
  }

  async get(token: string, user: AuthUser | null, fields: string[], base64: boolean): Promise<SubmissionObject> {
    const row = await this.find(token, user);
    if (!row) throw new Judge0Reply(404, null);
    const out = await this.present(row, fields, base64);
    if (!out) throw new Judge0Reply(400, { error: notUtf8('this submission') });
    return out;
  }

  /** `?wait=true`: the final state (or the current one when the wait budget runs out). */
  async waitAndPresent(token: string, fields: string[], base64: boolean): Promise<SubmissionObject> {
    const row = await this.ctx.executions.waitForFinal(token, waitBudgetMs(this.ctx));
    const out = await this.present(row, fields, base64);
    return out ?? { token, error: notUtf8('this submission') };
  }

  private async find(token: string, user: AuthUser | null): Promise<ExecutionRow | null> {
    if (!/^[0-9a-f]{8}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{12}$/i.test(token)) return null;
    try {
      return await this.ctx.executions.get(token, user);
    } catch (err) {
      if (err instanceof MuscodeError && err.code === HttpCodes.notFound) return null;
      throw err;
    }
  }

  batchSize(n: number): void {
    if (n > this.settings.batchMax) throw new Judge0Reply(400, { error: `number of submissions in a batch should be less than or equal to ${this.settings.batchMax}` });
    if (n < 1) throw new Judge0Reply(400, { error: 'there should be at least one submission in a batch' });
  }

  async batchGet(tokens: string[], user: AuthUser | null, fields: string[], base64: boolean): Promise<(SubmissionObject | null)[]> {
    this.batchSize(tokens.length);
    const valid = tokens.filter((t) => /^[0-9a-f-]{36}$/i.test(t));
    const rows = valid.length ? await this.ctx.database.db.select().from(executions).where(inArray(executions.id, valid)) : [];
    const out: (SubmissionObject | null)[] = [];
    for (const t of tokens) {
      const row = rows.find((r) => r.id === t.toLowerCase());
      if (!row || (row.userId !== null && row.userId !== user?.id)) {
        out.push(null);
        continue;
      }
      const p = await this.present(row, fields, base64);
      if (!p) throw new Judge0Reply(400, { error: notUtf8('one or more submissions') });
      out.push(p);
    }
    return out;
  }

  /** GET /submissions: the caller's submissions, newest first (Judge0's authorization = a signed-in user here). */
  async list(user: AuthUser, pageRaw: unknown, perPageRaw: unknown, fields: string[], base64: boolean) {
    const page = toInt(pageRaw, 1);
    const perPage = toInt(perPageRaw, 20);
    if (page <= 0) throw new Judge0Reply(400, { error: `invalid page: ${page}` });
    if (perPage < 0) throw new Judge0Reply(400, { error: `invalid per_page: ${perPage}` });
    const where = eq(executions.userId, user.id);
    const db = this.ctx.database.db;
    const [rows, [total]] = await Promise.all([
      db.select().from(executions).where(where).orderBy(desc(executions.createdAt)).limit(perPage).offset((page - 1) * perPage),
      db.select({ n: count() }).from(executions).where(where),
    ]);
    const n = Number(total?.n ?? 0);
    const pages = perPage === 0 ? 0 : Math.ceil(n / perPage);
    const submissions = [];
    for (const r of rows) {
      const p = await this.present(r, fields, base64);
      if (!p) throw new Judge0Reply(400, { error: notUtf8('one or more submissions') });
      submissions.push(p);
    }
    return {
      submissions,
      meta: { current_page: page, next_page: page < pages ? page + 1 : null, prev_page: page > 1 ? page - 1 : null, total_pages: pages, total_count: n },
    };
  }

  async statistics() {
    const db = this.ctx.database.db;
    const [[total], byLanguage] = await Promise.all([
      db.select({ n: count() }).from(executions),
      db.select({ language: executions.language, n: count() }).from(executions).groupBy(executions.language),
    ]);
    const now = new Date();
    const langs = await this.languages();
    return {
      created_at: now.toISOString(),
      cached_until: now.toISOString(),
      submissions: { total: Number(total?.n ?? 0) },
      languages: byLanguage.map((l) => {
        const known = langs.find((x) => x.info.id === l.language);
        return { language: known ? { id: known.id, name: known.name } : { id: null, name: l.language }, count: Number(l.n) };
      }),
      statuses: [],
      database: {},
    };
  }

  async workers() {
    const depth = await this.ctx.queue.depth();
    const slots = this.ctx.config.SANDBOX_SLOTS;
    return [
      {
        queue: 'executions',
        size: depth.waiting,
        available: slots,
        idle: Math.max(0, slots - depth.active),
        working: depth.active,
        paused: 0,
        failed: 0,
      },
    ];
  }
}

/** Rails' `to_i`: a leading integer, else 0. */
function toInt(v: unknown, dflt: number): number {
  if (v === undefined || v === null || v === '') return dflt;
  const m = /^\s*([+-]?\d+)/.exec(String(v));
  return m ? Number(m[1]) : 0;
}
