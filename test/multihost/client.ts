import { io, type Socket } from 'socket.io-client';
import { api } from '../helpers/app.js';
import type { MultiHostCluster } from '../helpers/hosts.js';

/** What the multi-host tests need from the API, through the edge only. */

export interface RunRow {
  id: string;
  status: string;
  stdout: string | null;
  failure_reason: string | null;
  worker_id: string | null;
  attempts: number;
}

/** Starts a run through the edge; returns its id (throws on anything but 201/202). */
export async function startRun(c: MultiHostCluster, token: string, language: string, code: string): Promise<string> {
  const res = await api<{ data: { executionId: string } }>({ url: c.url }, 'POST', '/api/v1/execute', { token, body: { language, code } });
  if (res.status !== 200) throw new Error(`execute: ${res.status} ${JSON.stringify(res.body)}`);
  return res.body.data.executionId;
}

/** The rows, read on the database host (the oracle of "nothing lost"). */
export async function rows(c: MultiHostCluster, ids: string[]): Promise<RunRow[]> {
  return c.sql<RunRow>(
    `SELECT id, status, convert_from(stdout, 'UTF8') AS stdout, failure_reason, worker_id, attempts FROM executions WHERE id = ANY($1::uuid[]) ORDER BY id`,
    [ids],
  );
}

const FINAL = new Set(['completed', 'timeout', 'failed', 'cancelled']);

/** Waits until every row is final; returns them. Fails with the stragglers after `timeoutMs`. */
export async function waitFinal(c: MultiHostCluster, ids: string[], timeoutMs = 90_000): Promise<RunRow[]> {
  const deadline = Date.now() + timeoutMs;
  for (;;) {
    let got: RunRow[] = [];
    try {
      got = await rows(c, ids);
    } catch {
      // the database is restarting
    }
    if (got.length === ids.length && got.every((r) => FINAL.has(r.status))) return got;
    if (Date.now() > deadline) {
      const open = got.filter((r) => !FINAL.has(r.status)).map((r) => `${r.id}: ${r.status} on ${r.worker_id} (${r.attempts})`);
      throw new Error(`${ids.length - got.filter((r) => FINAL.has(r.status)).length} of ${ids.length} runs not final: ${open.slice(0, 10).join('; ')}`);
    }
    await new Promise((r) => setTimeout(r, 250));
  }
}

/** Waits for `pred` (polled), failing after `timeoutMs` with `what`. */
export async function until(pred: () => Promise<boolean> | boolean, what: string, timeoutMs = 60_000): Promise<void> {
  const deadline = Date.now() + timeoutMs;
  while (!(await pred())) {
    if (Date.now() > deadline) throw new Error(`timed out waiting for ${what}`);
    await new Promise((r) => setTimeout(r, 100));
  }
}

/** The `complete` events in a run's history on the bus: exactly one per run that ended once. */
export async function completeEvents(c: MultiHostCluster, id: string): Promise<number> {
  const r = c.redis();
  try {
    const events = await r.lrange(`muscode:exec:${id}:events`, 0, -1);
    return events.filter((e) => (JSON.parse(e) as { type: string }).type === 'complete').length;
  } finally {
    r.disconnect();
  }
}

/** A run's stream history as stored on the bus (Redis on the database host). */
export async function historyOf(c: MultiHostCluster, id: string): Promise<{ seq: number; type: string; status?: string; data?: string }[]> {
  const r = c.redis();
  try {
    return (await r.lrange(`muscode:exec:${id}:events`, 0, -1)).map((e) => JSON.parse(e) as { seq: number; type: string; status?: string; data?: string });
  } finally {
    r.disconnect();
  }
}

export interface StreamEvent {
  name: string;
  seq: number;
  data: string;
}

/**
 * A client following one run over socket.io through the edge, the way the web app does: on
 * every (re)connection it subscribes again, the server replays the history, and the client
 * keeps only events past the last seq it has. `raw` keeps everything received (to show the
 * replay's overlap), `events` the de-duplicated stream.
 */
export class StreamClient {
  readonly socket: Socket;
  readonly raw: StreamEvent[] = [];
  readonly events: StreamEvent[] = [];
  connects = 0;
  private last = 0;

  constructor(
    url: string,
    token: string,
    readonly executionId: string,
  ) {
    this.socket = io(url, { path: '/ws', auth: { token }, reconnectionDelay: 200, reconnectionDelayMax: 1000, forceNew: true });
    this.socket.on('connect', () => {
      this.connects++;
      this.socket.emit('subscribe:execution', { executionId });
    });
    for (const name of ['execution:status', 'execution:output', 'execution:complete', 'execution:error']) {
      this.socket.on(name, (e: { seq: number; data?: string; status?: string }) => {
        const ev = { name, seq: e.seq, data: e.data ?? e.status ?? '' };
        this.raw.push(ev);
        if (e.seq <= this.last) return; // replayed: already have it
        this.last = e.seq;
        this.events.push(ev);
      });
    }
  }

  get done(): boolean {
    return this.events.some((e) => e.name === 'execution:complete');
  }

  output(): string {
    return this.events.filter((e) => e.name === 'execution:output').map((e) => e.data).join('');
  }

  close(): void {
    this.socket.close();
  }
}
