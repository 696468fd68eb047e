import type { Socket } from 'socket.io';
import { z } from 'zod';
import { contestBusKey } from '../arena/contests/service.js';
import { CallerError } from '../errors.js';
import type { AppContext, AuthUser } from '../server/context.js';
import { HttpCodes } from '../server/http-errors.js';
import { type WsLog, wsErrorAnswer } from './ws-errors.js';

/**
 * Live contest scoreboards over socket.io: `subscribe:contest { slug }` → ack `{ scoreboard }`
 * (or `{ error }`: CONTEST_NOT_FOUND as for GET), then `contest:scoreboard { slug, scoreboard }`
 * whenever the board may have changed (a contest submission was made or finished, someone
 * joined, the contest was edited); `unsubscribe:contest` stops them. The pings travel on the bus
 * (Redis in cluster mode), so a submission judged anywhere reaches sockets on every replica.
 * Each socket's board is computed for its user (the freeze hides others' results, not one's
 * own), on the fly from the log; bursts of pings are coalesced into one recompute.
 */

type Ack = (answer: unknown) => void;
const slugSchema = z.string().min(1).max(100).regex(/^[a-z0-9][a-z0-9_-]*$/);

interface Follow {
  unsubscribe?: () => Promise<void>;
  closed: boolean;
  running: boolean;
  again: boolean;
}

export function registerContestHandlers(socket: Socket, ctx: AppContext, user: () => AuthUser | null, log: WsLog): void {
  const follows = new Map<string, Follow>();

  const refresh = async (slug: string, f: Follow) => {
    if (f.running) {
      f.again = true;
      return;
    }
    f.running = true;
    try {
      do {
        f.again = false;
        const scoreboard = await ctx.contests.scoreboard(user(), slug);
        if (!f.closed) socket.emit('contest:scoreboard', { slug, scoreboard });
      } while (f.again && !f.closed);
    } catch (err) {
      log.error({ err }, 'contest scoreboard failed');
    } finally {
      f.running = false;
    }
  };

  socket.on('subscribe:contest', async (payload: unknown, maybeAck?: Ack) => {
    const ack: Ack = typeof maybeAck === 'function' ? maybeAck : () => undefined;
    try {
      const raw = typeof payload === 'string' ? payload : (payload as { slug?: unknown } | null)?.slug;
      const parsed = slugSchema.safeParse(raw);
      if (!parsed.success) throw new CallerError(HttpCodes.validation, 'slug must be a contest slug');
      const slug = parsed.data;
      const id = await ctx.contests.idOf(user(), slug);
      if (!follows.has(slug)) {
        const f: Follow = { closed: false, running: false, again: false };
        follows.set(slug, f);
        f.unsubscribe = await ctx.bus.subscribe(contestBusKey(id), () => {
          if (!f.closed) void refresh(slug, f);
        });
        if (f.closed) await f.unsubscribe();
      }
      ack({ scoreboard: await ctx.contests.scoreboard(user(), slug) });
    } catch (err) {
      ack(wsErrorAnswer(err, log, 'subscribe:contest'));
    }
  });

  socket.on('unsubscribe:contest', async (payload: unknown, maybeAck?: Ack) => {
    const raw = typeof payload === 'string' ? payload : (payload as { slug?: unknown } | null)?.slug;
    const f = typeof raw === 'string' ? follows.get(raw) : undefined;
    if (f && typeof raw === 'string') {
      follows.delete(raw);
      f.closed = true;
      await f.unsubscribe?.().catch((err: unknown) => log.error({ err }, 'unsubscribe failed'));
    }
    if (typeof maybeAck === 'function') maybeAck({ ok: true });
  });

  socket.on('disconnect', () => {
    for (const f of follows.values()) {
      f.closed = true;
      void f.unsubscribe?.().catch((err: unknown) => log.error({ err }, 'unsubscribe failed'));
    }
    follows.clear();
  });
}
