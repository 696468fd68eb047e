import { LiveInput, type LiveInputItem, isLiveSignal, validSize } from '../engine/live-input.js';
import { CallerError, ErrorCodes } from '../errors.js';
import { type ExecutionEventBody, followExecution, type OutputBus } from '../realtime/bus.js';
import { HttpCodes } from '../server/http-errors.js';

/**
 * Interactive runs between the socket and the program. Input travels on the execution's own
 * bus channel as `input` events, whatever the mode: in embedded mode the in-process bus, in
 * cluster mode Redis, to whichever worker runs the program (which follows the channel from its
 * start, replaying what was sent while the run was queued). The order is the bus's order.
 */

/** One `execution:stdin` chunk at most (bytes, after decoding). */
export const STDIN_CHUNK_BYTES = 64 * 1024;

/** What an interactive execution stores with its request. */
export interface InteractiveSettings {
  tty?: { cols: number; rows: number };
}

/** The bus event for one input item (data as base64: events are JSON). */
export function inputEvent(item: LiveInputItem): Extract<ExecutionEventBody, { type: 'input' }> {
  switch (item.kind) {
    case 'data':
      return { type: 'input', kind: 'data', data: item.data.toString('base64') };
    case 'eof':
      return { type: 'input', kind: 'eof' };
    case 'signal':
      return { type: 'input', kind: 'signal', signal: item.signal };
    case 'resize':
      return { type: 'input', kind: 'resize', cols: item.cols, rows: item.rows };
  }
}

/** Checks what a socket (or the Piston connect socket) asks to send; throws the caller's error. */
export function checkInputItem(item: LiveInputItem): void {
  if (item.kind === 'data' && item.data.length > STDIN_CHUNK_BYTES) {
    throw new CallerError(ErrorCodes.stdinTooLarge, `a stdin chunk is at most ${STDIN_CHUNK_BYTES} bytes (this one is ${item.data.length})`, { max: STDIN_CHUNK_BYTES });
  }
  if (item.kind === 'signal' && !isLiveSignal(item.signal)) throw new CallerError(HttpCodes.validation, `unknown or refused signal ${String(item.signal).slice(0, 20)}`);
  if (item.kind === 'resize' && !validSize(item.cols, item.rows)) throw new CallerError(HttpCodes.validation, 'cols and rows must be integers from 1 to 1000');
}

/**
 * The worker's side: a LiveInput for the run, holding the request's stdin first, then fed from
 * the bus until `stop()`.
 */
export async function followInput(bus: OutputBus, executionId: string, stdin: Buffer | null): Promise<{ input: LiveInput; stop: () => Promise<void> }> {
  const input = new LiveInput();
  if (stdin?.length) input.write(stdin);
  const unsubscribe = await followExecution(bus, executionId, (e) => {
    if (e.type !== 'input') return;
    if (e.kind === 'data' && typeof e.data === 'string') input.write(Buffer.from(e.data, 'base64'));
    else if (e.kind === 'eof') input.end();
    else if (e.kind === 'signal' && typeof e.signal === 'string') input.signal(e.signal);
    else if (e.kind === 'resize') input.resize(Number(e.cols), Number(e.rows));
  });
  return {
    input,
    stop: async () => {
      input.close();
      await unsubscribe();
    },
  };
}
