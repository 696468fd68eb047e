import type { Socket } from 'socket.io';
import { z } from 'zod';
import { publicSubmissionView, publicTestView } from '../arena/api/schemas.js';
import type { SubmissionServiceContract } from '../arena/service/contract.js';
import { CallerError } from '../errors.js';
import type { AppContext, AuthUser } from '../server/context.js';
import { HttpCodes } from '../server/http-errors.js';
import { type ExecutionEvent, followExecution } from './bus.js';
import { type WsLog, wsErrorAnswer } from './ws-errors.js';

/**
 * Arena submissions over socket.io (the /ws server of src/realtime/socket.ts):
 * `subscribe:submission { submissionId }` → ack `{ status, seq }` or `{ error }`, then, in seq
 * order, `submission:status`, `submission:progress` (one per finished test) and
 * `submission:complete { result: SubmissionView }`; `unsubscribe:submission` stops them.
 * Events come from the bus keyed by the submission id (the judge publishes them wherever it
 * runs), replayed from seq 1 for a late subscriber, then live, with no gap and no duplicate.
 * Who may follow a submission is who may read it (GET /submissions/{id}): others get
 * SUBMISSION_NOT_FOUND, exactly as for one that does not exist.
 */

type Ack = (answer: unknown) => void;

/** One followed submission; recorded before the first await (see socket.ts for why). */
interface Subscription {
  ready: Promise<void>;
  unsubscribe?: () => Promise<void>;
  closed: boolean;
  /** Emits run one after another: `complete` reads the final view, and nothing may overtake it. */
  chain: Promise<void>;
}

const submissionId = z.uuid();

function idOf(payload: unknown): string {
  const raw = typeof payload === 'string' ? payload : (payload as { submissionId?: unknown } | null)?.submissionId;
  const parsed = submissionId.safeParse(raw);
  if (!parsed.success) throw new CallerError(HttpCodes.validation, 'submissionId must be a UUID');
  return parsed.data;
}

function close(sub: Subscription): Promise<void> {
  sub.closed = true;
  return sub.unsubscribe ? sub.unsubscribe() : Promise.resolve();
}

export function registerSubmissionHandlers(socket: Socket, ctx: AppContext, user: () => AuthUser | null, log: WsLog): void {
  const submissions: SubmissionServiceContract = ctx.submissions;
  const subs = new Map<string, Subscription>();

  socket.on('subscribe:submission', async (payload: unknown, maybeAck?: Ack) => {
    const ack: Ack = typeof maybeAck === 'function' ? maybeAck : () => undefined;
    try {
      const id = idOf(payload);
      const existing = subs.get(id);
      if (existing) {
        await existing.ready;
        const view = await submissions.get(user(), id);
        return ack({ status: view.status, seq: 0, alreadySubscribed: true });
      }
      const sub: Subscription = { ready: Promise.resolve(), closed: false, chain: Promise.resolve() };
      subs.set(id, sub); // before any await
      let last = 0;
      sub.ready = (async () => {
        await submissions.get(user(), id); // SUBMISSION_NOT_FOUND for those who may not read it
        const unsubscribe = await followExecution(ctx.bus, id, (e) => {
          if (sub.closed) return;
          last = e.seq;
          sub.chain = sub.chain.then(() => (sub.closed ? undefined : emit(socket, submissions, user(), e))).catch((err: unknown) => log.error({ err }, 'submission event failed'));
        });
        sub.unsubscribe = unsubscribe;
        if (sub.closed) await unsubscribe();
      })();
      try {
        await sub.ready;
      } catch (err) {
        if (subs.get(id) === sub) subs.delete(id);
        throw err;
      }
      const now = await submissions.get(user(), id);
      ack({ status: now.status, seq: last });
    } catch (err) {
      ack(wsErrorAnswer(err, log, 'subscribe:submission'));
    }
  });

  socket.on('unsubscribe:submission', async (payload: unknown, maybeAck?: Ack) => {
    const raw = typeof payload === 'string' ? payload : (payload as { submissionId?: unknown } | null)?.submissionId;
    const sub = typeof raw === 'string' ? subs.get(raw) : undefined;
    if (sub && typeof raw === 'string') {
      subs.delete(raw);
      await close(sub).catch((err: unknown) => log.error({ err }, 'unsubscribe failed'));
    }
    if (typeof maybeAck === 'function') maybeAck({ ok: true });
  });

  socket.on('disconnect', () => {
    for (const sub of subs.values()) void close(sub).catch((err: unknown) => log.error({ err }, 'unsubscribe failed'));
    subs.clear();
  });
}

async function emit(socket: Socket, submissions: SubmissionServiceContract, user: AuthUser | null, e: ExecutionEvent): Promise<void> {
  const base = { submissionId: e.executionId, seq: e.seq };
  switch (e.type) {
    case 'status':
      socket.emit('submission:status', { ...base, status: e.status });
      break;
    case 'progress':
      socket.emit('submission:progress', { ...base, status: e.status, test: publicTestView(e.test), testsDone: e.testsDone, testsTotal: e.testsTotal });
      break;
    case 'complete': {
      // The final view as the caller may see it (the same as GET /submissions/{id}).
      const view = await submissions.get(user, e.executionId).catch(() => null);
      const result = view ? publicSubmissionView(view) : null;
      socket.emit('submission:complete', { ...base, result });
      break;
    }
    case 'error':
      socket.emit('submission:error', { ...base, error: { code: e.code, message: e.message } });
      break;
    case 'output':
      break; // the judge publishes no program output: tests' data stays on the server
  }
}
