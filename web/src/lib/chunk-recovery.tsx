/**
 * Pages in separate chunks, and what happens when a chunk cannot be fetched (the server is
 * restarting, the network dropped, a deploy replaced the files).
 *
 * - `lazyPage(load)` is React.lazy that tries the import twice, and after a failure forgets it:
 *   React.lazy alone keeps the rejected promise forever, so the page could never load again
 *   without a full reload. The failure is a ChunkLoadError (never the browser's message with
 *   the module URL).
 * - `<Reconnecting>` is what the page boundary shows for it: "Can't reach MUSCode, retrying…";
 *   it polls /api/v1/health and, once the server answers, tries the page again, and reloads
 *   the document if that still fails (browsers may remember a failed module fetch).
 */
import { type ComponentType, createElement, lazy, type LazyExoticComponent, useEffect, useState } from 'react';

export class ChunkLoadError extends Error {
  constructor(cause?: unknown) {
    super('a part of the app could not be loaded');
    this.name = 'ChunkLoadError';
    this.cause = cause;
  }
}

const CHUNK_MESSAGES = /dynamically imported module|Importing a module script failed|error loading dynamically imported module|Unable to preload|Failed to fetch|ChunkLoadError/i;

export function isChunkLoadError(err: unknown): boolean {
  return err instanceof ChunkLoadError || (err instanceof Error && CHUNK_MESSAGES.test(`${err.name} ${err.message}`));
}

const sleep = (ms: number) => new Promise((r) => setTimeout(r, ms));

/** Bumped by the page boundary when it tries again: failed pages then import anew. */
let generation = 0;
export function retryFailedPages(): void {
  generation++;
}

export function lazyPage<P extends object>(load: () => Promise<{ default: ComponentType<P> }>): ComponentType<P> {
  let failed = false;
  const attempt = async (): Promise<{ default: ComponentType<P> }> => {
    try {
      return await load();
    } catch {
      await sleep(400);
      try {
        return await load();
      } catch (err) {
        failed = true;
        throw new ChunkLoadError(err);
      }
    }
  };
  let current: LazyExoticComponent<ComponentType<P>> = lazy(attempt);
  let builtAt = generation;
  function Page(props: P) {
    // Not on every render: React renders again right after an error, and a fresh import each
    // time would suspend forever instead of showing the boundary.
    if (failed && builtAt !== generation) {
      failed = false;
      builtAt = generation;
      current = lazy(attempt);
    }
    return createElement(current as ComponentType<P>, props);
  }
  return Page;
}

/** Resolves true when the server answers its health check (any HTTP answer counts as reachable). */
export async function serverReachable(timeoutMs = 3000): Promise<boolean> {
  try {
    const res = await fetch('/api/v1/health', { cache: 'no-store', signal: AbortSignal.timeout(timeoutMs) });
    // 503 is the server saying it is unhealthy (it is there); 502/504 is a proxy without it.
    return res.status !== 502 && res.status !== 504;
  } catch {
    return false;
  }
}

/**
 * Shown instead of a page whose code could not be fetched. `onBack` is called once the server
 * answers again (the boundary then renders the page anew); `reloadInstead` makes it reload the
 * document instead (the second time round).
 */
export function Reconnecting({ onBack, reloadInstead }: { onBack(): void; reloadInstead: boolean }) {
  const [tries, setTries] = useState(0);
  useEffect(() => {
    let stop = false;
    let timer: ReturnType<typeof setTimeout>;
    const tick = async () => {
      if (stop) return;
      if (await serverReachable()) {
        if (stop) return;
        if (reloadInstead) location.reload();
        else onBack();
        return;
      }
      setTries((n) => n + 1);
      timer = setTimeout(() => void tick(), 2000);
    };
    timer = setTimeout(() => void tick(), 1000);
    const online = () => {
      clearTimeout(timer);
      void tick();
    };
    window.addEventListener('online', online);
    return () => {
      stop = true;
      clearTimeout(timer);
      window.removeEventListener('online', online);
    };
  }, [onBack, reloadInstead]);
  return (
    <div className="page center" role="status" aria-live="polite" data-testid="reconnecting">
      <h1>Can't reach MUSCode, retrying…</h1>
      <p className="muted">
        This page could not be loaded: the server or your connection is not answering. It will open by itself as soon as the server is
        back{tries > 0 ? ` (tried ${tries + 1} times)` : ''}.
      </p>
      <p>
        <button type="button" className="btn btn-primary" onClick={() => location.reload()}>
          Reload now
        </button>
      </p>
    </div>
  );
}
