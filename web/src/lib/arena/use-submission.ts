/**
 * Following one submission: the view from the POST (or a GET), then the socket (replay + live),
 * polling GET /submissions/:id when the socket cannot be had. The table fills in as tests finish.
 */
import { useCallback, useEffect, useReducer, useRef } from 'react';
import type { SubmissionView } from '../../api/arena-types';
import { api, executionSocket } from '../../api/session';
import { emptyLive, liveReducer, type SubmissionLive } from './submission-live';

export interface SubmissionFollower {
  live: SubmissionLive;
  /** Starts following a submission (its first view, from the POST or a GET). */
  follow(view: SubmissionView): void;
  clear(): void;
}

const POLL_MS = 700;

export function useSubmission(): SubmissionFollower {
  const [live, dispatch] = useReducer(liveReducer, emptyLive);
  const stopRef = useRef<(() => void) | null>(null);
  const current = useRef<string | null>(null);
  const poller = useRef<ReturnType<typeof setTimeout> | null>(null);

  const detach = useCallback(() => {
    stopRef.current?.();
    stopRef.current = null;
    if (poller.current) clearTimeout(poller.current);
    poller.current = null;
  }, []);
  useEffect(() => detach, [detach]);

  const fetchView = useCallback(async (id: string) => {
    try {
      const v = await api.get<SubmissionView>(`/submissions/${id}`);
      if (current.current === id) dispatch({ type: 'view', view: v });
      return v;
    } catch {
      return null;
    }
  }, []);

  // Final: nothing more to hear. A `complete` without its result: fetch the view.
  useEffect(() => {
    if (!live.final || !live.id) return;
    detach();
    if (!live.view || live.view.status !== live.status) void fetchView(live.id);
  }, [live.final, live.id, live.view, live.status, detach, fetchView]);

  const poll = useCallback(
    (id: string) => {
      const tick = async () => {
        if (current.current !== id) return;
        const v = await fetchView(id);
        if (v && (v.status === 'done' || v.status === 'cancelled')) return;
        poller.current = setTimeout(tick, POLL_MS);
      };
      poller.current = setTimeout(tick, POLL_MS);
    },
    [fetchView],
  );

  const subscribe = useCallback(
    async (id: string) => {
      try {
        const stop = await executionSocket.followSubmission(
          id,
          (event) => dispatch({ type: 'event', event }),
          undefined,
          (status) => {
            if (status === 'done' || status === 'cancelled') void fetchView(id);
          },
        );
        if (current.current === id) stopRef.current = stop;
        else stop();
      } catch {
        if (current.current === id) poll(id);
      }
    },
    [fetchView, poll],
  );

  const follow = useCallback(
    (view: SubmissionView) => {
      detach();
      current.current = view.id;
      dispatch({ type: 'reset', id: view.id });
      dispatch({ type: 'view', view });
      if (view.status !== 'done' && view.status !== 'cancelled') void subscribe(view.id);
    },
    [detach, subscribe],
  );

  const clear = useCallback(() => {
    detach();
    current.current = null;
    dispatch({ type: 'reset', id: null });
  }, [detach]);

  return { live, follow, clear };
}
