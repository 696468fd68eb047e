import type { Socket } from 'socket.io';
import { z } from 'zod';
import type { DuelService } from '../arena/duels/service.js';
import { CallerError } from '../errors.js';
import type { AppContext } from '../server/context.js';
import { HttpCodes } from '../server/http-errors.js';
import { followExecution } from './bus.js';
import { type WsLog, wsErrorAnswer } from './ws-errors.js';

/**
 * Duels over socket.io: `subscribe:match { matchId }` → ack `{ status, seq }` or `{ error }`
 * (MATCH_NOT_FOUND), then `match:start`, `match:progress` (a player's submission was judged:
 * attempts and tests passed, never code) and `match:result` (winner, outcome, rating changes),
 * each `{ matchId, seq, match: MatchView }` with the view as GET /matches/{id} gives it. Events
 * travel on the bus keyed `match-<id>` (published wherever the duel changed: an API replica or
 * the worker that judged the AC), so every replica's sockets get them.
 */
export const matchBusKey = (id: string) => `match-${id}`;

const matchId = z.uuid();
type Ack = (answer: unknown) => void;

export function registerMatchHandlers(socket: Socket, ctx: AppContext, log: WsLog): void {
  const duels: DuelService = ctx.duels;
  const subs = new Map<string, { closed: boolean; unsubscribe?: () => Promise<void>; chain: Promise<void> }>();

  socket.on('subscribe:match', async (payload: unknown, maybeAck?: Ack) => {
    const ack: Ack = typeof maybeAck === 'function' ? maybeAck : () => undefined;
    try {
      const raw = typeof payload === 'string' ? payload : (payload as { matchId?: unknown } | null)?.matchId;
      const parsed = matchId.safeParse(raw);
      if (!parsed.success) throw new CallerError(HttpCodes.validation, 'matchId must be a UUID');
      const id = parsed.data;
      if (subs.has(id)) return ack({ status: (await duels.get(id)).status, seq: 0, alreadySubscribed: true });
      const sub: { closed: boolean; unsubscribe?: () => Promise<void>; chain: Promise<void> } = { closed: false, chain: Promise.resolve() };
      subs.set(id, sub);
      let last = 0;
      try {
        await duels.get(id); // MATCH_NOT_FOUND
        sub.unsubscribe = await followExecution(ctx.bus, matchBusKey(id), (e) => {
          if (sub.closed || e.type !== 'match') return;
          last = e.seq;
          sub.chain = sub.chain
            .then(async () => {
              if (!sub.closed) socket.emit(`match:${e.event}`, { matchId: id, seq: e.seq, match: await duels.get(id) });
            })
            .catch((err: unknown) => log.error({ err }, 'match event failed'));
        });
      } catch (err) {
        subs.delete(id);
        throw err;
      }
      ack({ status: (await duels.get(id)).status, seq: last });
    } catch (err) {
      ack(wsErrorAnswer(err, log, 'subscribe:match'));
    }
  });

  socket.on('unsubscribe:match', async (payload: unknown, maybeAck?: Ack) => {
    const raw = typeof payload === 'string' ? payload : (payload as { matchId?: unknown } | null)?.matchId;
    const sub = typeof raw === 'string' ? subs.get(raw) : undefined;
    if (sub && typeof raw === 'string') {
      subs.delete(raw);
      sub.closed = true;
      await sub.unsubscribe?.().catch((err: unknown) => log.error({ err }, 'unsubscribe failed'));
    }
    if (typeof maybeAck === 'function') maybeAck({ ok: true });
  });

  socket.on('disconnect', () => {
    for (const sub of subs.values()) {
      sub.closed = true;
      void sub.unsubscribe?.().catch((err: unknown) => log.error({ err }, 'unsubscribe failed'));
    }
    subs.clear();
  });
}
