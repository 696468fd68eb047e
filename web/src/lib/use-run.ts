/**
 * Starting a run and following it: the POST (playground: /execute; project: /projects/:id/run),
 * then the socket subscription (replay + live), with polling as the fallback when the socket
 * cannot be had. Marks the Run → first output interval with the Performance API
 * (`muscode:run-to-first-output`), which the e2e test and bench/web-budget.ts read.
 */
import { useCallback, useEffect, useReducer, useRef } from 'react';
import { describeError, ApiError } from '../api/errors';
import { limitOf, retryAfterSeconds } from './retry-after';
import { api, executionSocket } from '../api/session';
import type { Execution } from '../api/types';
import { initialRunState, isActive, isFinalStatus, runReducer, type RunState, type StreamEvent } from './run-state';

export const RUN_MARK = 'muscode:run';
export const FIRST_OUTPUT_MARK = 'muscode:first-output';
export const RUN_MEASURE = 'muscode:run-to-first-output';

/** A refused run without a stated wait still keeps Run off for a moment (no hammering). */
const DEFAULT_COOLDOWN_S = 5;

export interface RunControls {
  state: RunState;
  run(start: () => Promise<{ executionId: string }>): Promise<void>;
  stop(): Promise<void>;
  reset(): void;
}

export function useRun(): RunControls {
  const [state, dispatch] = useReducer(runReducer, initialRunState);
  const unsubscribe = useRef<(() => void) | null>(null);
  const poller = useRef<ReturnType<typeof setTimeout> | null>(null);
  const current = useRef<string | null>(null);

  const detach = useCallback(() => {
    unsubscribe.current?.();
    unsubscribe.current = null;
    if (poller.current) clearTimeout(poller.current);
    poller.current = null;
  }, []);

  useEffect(() => detach, [detach]);

  // The connection dropping (or coming back) while a run is followed: shown in the panel.
  useEffect(
    () =>
      executionSocket.onConnectionChange((connected) => {
        if (unsubscribe.current) dispatch({ type: 'connection', lost: !connected });
      }),
    [],
  );

  // Once final, the subscription has nothing more to say.
  useEffect(() => {
    if (state.phase === 'done' || state.phase === 'error') detach();
  }, [state.phase, detach]);

  // A 'complete' event without its result (rare): fetch it.
  useEffect(() => {
    if (state.phase === 'done' && !state.result && state.executionId) {
      const id = state.executionId;
      api.get<Execution>(`/execute/${id}`).then((r) => dispatch({ type: 'result', result: r }), () => undefined);
    }
  }, [state.phase, state.result, state.executionId]);

  const poll = useCallback((id: string) => {
    const tick = async () => {
      if (current.current !== id) return;
      try {
        const r = await api.get<Execution>(`/execute/${id}`);
        dispatch({ type: 'connection', lost: false });
        dispatch({ type: 'result', result: r, at: performance.now() });
        if (isFinalStatus(r.status)) return;
      } catch (err) {
        if (err instanceof ApiError && err.status === 404) {
          dispatch({ type: 'failed', error: { code: err.code, message: describeError(err) } });
          return;
        }
        if (err instanceof ApiError && err.code === 'NETWORK') dispatch({ type: 'connection', lost: true });
      }
      poller.current = setTimeout(tick, 300);
    };
    void tick();
  }, []);

  const run = useCallback(
    async (start: () => Promise<{ executionId: string }>) => {
      detach();
      current.current = null;
      dispatch({ type: 'start' });
      performance.clearMarks(RUN_MARK);
      performance.clearMarks(FIRST_OUTPUT_MARK);
      performance.clearMeasures(RUN_MEASURE);
      performance.mark(RUN_MARK);
      let receipt: { executionId: string };
      try {
        receipt = await start();
      } catch (err) {
        const wait = retryAfterSeconds(err);
        const refused = err instanceof ApiError && err.status === 429;
        dispatch({
          type: 'failed',
          error: {
            code: err instanceof ApiError ? err.code : 'ERROR',
            message: describeError(err),
            ...(refused ? { retryAt: Date.now() + (wait ?? DEFAULT_COOLDOWN_S) * 1000, limit: limitOf(err) ?? undefined } : {}),
          },
        });
        return;
      }
      const id = receipt.executionId;
      current.current = id;
      dispatch({ type: 'accepted', executionId: id, at: performance.now() });
      // A result already final (a project run answered with ?wait=true, or a very fast cache hit).
      if (isFinalStatus((receipt as Partial<Execution>).status)) {
        dispatch({ type: 'result', result: receipt as Execution });
      }
      let first = true;
      const onEvent = (e: StreamEvent) => {
        if (first && e.kind === 'output') {
          first = false;
          performance.mark(FIRST_OUTPUT_MARK);
          performance.measure(RUN_MEASURE, RUN_MARK, FIRST_OUTPUT_MARK);
        }
        dispatch({ type: 'event', event: e, at: performance.now() });
      };
      try {
        const stop = await executionSocket.follow(id, onEvent, undefined, (status) => {
          // Back after an outage and the run is over: if the replay did not end it, the stored result does.
          if (current.current === id && isFinalStatus(status)) {
            api.get<Execution>(`/execute/${id}`).then((r) => dispatch({ type: 'result', result: r, resync: true }), () => undefined);
          }
        });
        if (current.current === id) unsubscribe.current = stop;
        else stop();
      } catch {
        // No live output (socket refused or unreachable): poll for the result instead.
        if (current.current === id) poll(id);
      }
    },
    [detach, poll],
  );

  const stop = useCallback(async () => {
    const id = current.current;
    if (!id) return;
    dispatch({ type: 'stop', at: performance.now() });
    try {
      const r = await api.del<Execution>(`/execute/${id}`);
      dispatch({ type: 'result', result: r });
    } catch (err) {
      // NOT_CANCELLABLE: it finished meanwhile; the stream brings the result.
      if (!(err instanceof ApiError && err.code === 'NOT_CANCELLABLE')) {
        dispatch({ type: 'failed', error: { code: err instanceof ApiError ? err.code : 'ERROR', message: describeError(err) } });
      }
    }
  }, []);

  const reset = useCallback(() => {
    detach();
    current.current = null;
    dispatch({ type: 'reset' });
  }, [detach]);

  return { state, run, stop, reset };
}

export { isActive };
