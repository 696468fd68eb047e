import type { Socket } from 'socket.io';
import { z } from 'zod';
import type { LiveInputItem } from '../engine/live-input.js';
import { CallerError, ErrorCodes } from '../errors.js';
import { STDIN_CHUNK_BYTES } from '../executions/live-stdin.js';
import type { AppContext, AuthUser } from '../server/context.js';
import { HttpCodes } from '../server/http-errors.js';
import { type WsLog, wsErrorAnswer } from './ws-errors.js';

type Ack = (answer: unknown) => void;

const id = z.uuid();
/** base64 of a full chunk is 4/3 of it: the coarse bound before decoding. */
const stdinPayload = z.object({ executionId: id, data: z.string().max(STDIN_CHUNK_BYTES * 2), encoding: z.enum(['utf8', 'base64']).optional() });
const eofPayload = z.object({ executionId: id });
const signalPayload = z.object({ executionId: id, signal: z.string().max(16) });
const resizePayload = z.object({ executionId: id, cols: z.number(), rows: z.number() });

/** Executions for which this socket sent end of input (bounded: the oldest are forgotten). */
const EOF_MEMORY = 1000;

/**
 * Interactive runs' input over socket.io (docs/queue-and-realtime.md "Interactive runs"):
 * `execution:stdin` {executionId, data, encoding?}, `execution:eof` {executionId},
 * `execution:signal` {executionId, signal}, `execution:resize` {executionId, cols, rows}. Each is
 * acknowledged `{ ok: true }` once on the bus, or with the usual `{ error: { code, message } }`.
 */
export function registerExecutionInputHandlers(socket: Socket, ctx: AppContext, user: () => AuthUser | null, log: WsLog): void {
  const eofSent = new Set<string>();
  const handle = <T>(event: string, schema: z.ZodType<T>, toItem: (p: T) => { executionId: string; item: LiveInputItem }) => {
    socket.on(event, async (payload: unknown, maybeAck?: Ack) => {
      const ack: Ack = typeof maybeAck === 'function' ? maybeAck : () => undefined;
      try {
        const parsed = schema.safeParse(payload);
        if (!parsed.success) throw new CallerError(HttpCodes.validation, `${event}: ${parsed.error.issues[0]?.path.join('.') || 'payload'} is invalid`);
        const { executionId, item } = toItem(parsed.data);
        if (item.kind === 'data' && eofSent.has(executionId)) throw new CallerError(ErrorCodes.stdinClosed, 'end of input was already sent for this execution');
        await ctx.executions.sendInput(executionId, user(), item);
        if (item.kind === 'eof') {
          eofSent.add(executionId);
          if (eofSent.size > EOF_MEMORY) eofSent.delete(eofSent.values().next().value!);
        }
        ack({ ok: true });
      } catch (err) {
        ack(wsErrorAnswer(err, log, event));
      }
    });
  };
  handle('execution:stdin', stdinPayload, (p) => ({ executionId: p.executionId, item: { kind: 'data', data: Buffer.from(p.data, p.encoding === 'base64' ? 'base64' : 'utf8') } }));
  handle('execution:eof', eofPayload, (p) => ({ executionId: p.executionId, item: { kind: 'eof' } }));
  handle('execution:signal', signalPayload, (p) => ({ executionId: p.executionId, item: { kind: 'signal', signal: p.signal } }));
  handle('execution:resize', resizePayload, (p) => ({ executionId: p.executionId, item: { kind: 'resize', cols: p.cols, rows: p.rows } }));
}
