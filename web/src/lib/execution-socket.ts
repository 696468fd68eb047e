/**
 * Live output over socket.io (/ws). One connection per tab, opened early (the playground opens
 * it on load) so that a Run pays no handshake. `follow(id, onEvent)` registers its listeners
 * first and then emits `subscribe:execution`; the server replays everything already published
 * before acknowledging, so nothing printed before the subscription is lost, and the reducer
 * drops duplicates by seq.
 *
 * The handshake carries the current access token; when the signed-in user changes, the
 * connection is re-opened, because the server decides at the handshake whose runs it may show.
 */
import { io, type Socket } from 'socket.io-client';
import { subjectOf } from '../api/token-manager';
import type { Execution } from '../api/types';
import type { SubmissionEvent } from '../api/arena-types';
import type { StreamEvent } from './run-state';

export class SubscribeError extends Error {
  constructor(
    readonly code: string,
    message: string,
  ) {
    super(message);
  }
}

interface Ack {
  status?: string;
  seq?: number;
  error?: { code: string; message: string };
}

export class ExecutionSocket {
  private socket: Socket | null = null;
  private connectedAs: string | null = null;
  private readonly connectionListeners = new Set<(connected: boolean) => void>();

  /**
   * Called with false when the connection drops by itself (server gone, network lost), and
   * with true when it is back. A close by the app (sign-out, user change) is not reported.
   */
  onConnectionChange(listener: (connected: boolean) => void): () => void {
    this.connectionListeners.add(listener);
    return () => this.connectionListeners.delete(listener);
  }

  constructor(
    private readonly getToken: () => string | null,
    /** Called when the handshake is refused for a stale token; resolves once refreshed. */
    private readonly refreshToken: () => Promise<unknown>,
  ) {}

  /** Opens the connection if needed, or re-opens it when the token's user changed. */
  connect(): Socket {
    const token = this.getToken();
    const who = token ? subjectOf(token) : null;
    if (this.socket && this.connectedAs !== who) this.close();
    if (!this.socket) {
      this.connectedAs = who;
      const socket = io({
        path: '/ws',
        transports: ['websocket'],
        // A function, so every reconnection presents the current token.
        auth: (cb) => cb({ token: this.getToken() ?? '' }),
        reconnectionDelayMax: 5000,
      });
      socket.on('connect', () => {
        for (const l of this.connectionListeners) l(true);
      });
      socket.on('disconnect', (reason: string) => {
        if (reason === 'io client disconnect') return;
        // The server dropped us on purpose ('io server disconnect'): socket.io does not retry
        // that by itself, so ask again (the handshake is checked anew).
        if (reason === 'io server disconnect') setTimeout(() => socket.connect(), 1000);
        for (const l of this.connectionListeners) l(false);
      });
      socket.on('connect_error', (err: Error & { data?: { code?: string } }) => {
        const code = err.data?.code ?? err.message;
        if (code === 'TOKEN_EXPIRED' || code === 'INVALID_TOKEN') {
          void this.refreshToken().finally(() => {
            if (!socket.connected) socket.connect();
          });
        }
      });
      this.socket = socket;
    }
    return this.socket;
  }

  /** Whether the connection is up right now (false before the first connect). */
  get isConnected(): boolean {
    return !!this.socket?.connected;
  }

  close(): void {
    this.socket?.removeAllListeners();
    this.socket?.disconnect();
    this.socket = null;
    this.connectedAs = null;
  }

  private async connected(timeoutMs: number): Promise<Socket> {
    const socket = this.connect();
    if (socket.connected) return socket;
    await new Promise<void>((resolve, reject) => {
      const timer = setTimeout(() => {
        socket.off('connect', onConnect);
        reject(new SubscribeError('NETWORK', 'live output is not available'));
      }, timeoutMs);
      const onConnect = () => {
        clearTimeout(timer);
        resolve();
      };
      socket.once('connect', onConnect);
    });
    return socket;
  }

  /**
   * Streams an execution's events to `onEvent` (replay first). Resolves with the stop function
   * once the server acknowledged the subscription; rejects with SubscribeError otherwise.
   */
  async follow(
    executionId: string,
    onEvent: (e: StreamEvent) => void,
    timeoutMs = 5000,
    /** After a re-subscription: the execution's status then (its replay was delivered before). */
    onResubscribed?: (status: string | undefined) => void,
  ): Promise<() => void> {
    const socket = await this.connected(timeoutMs);
    const mine = (p: { executionId?: string }) => p?.executionId === executionId;
    // eslint-disable-next-line @typescript-eslint/no-explicit-any
    const handlers: [string, (p: any) => void][] = [
      ['execution:status', (p: { executionId: string; seq: number; status: string }) => mine(p) && onEvent({ kind: 'status', executionId, seq: p.seq, status: p.status })],
      [
        'execution:output',
        (p: { executionId: string; seq: number; type: 'stdout' | 'stderr'; data: string }) =>
          mine(p) && onEvent({ kind: 'output', executionId, seq: p.seq, stream: p.type === 'stderr' ? 'stderr' : 'stdout', data: p.data }),
      ],
      ['execution:complete', (p: { executionId: string; seq: number; result: Execution | null }) => mine(p) && onEvent({ kind: 'complete', executionId, seq: p.seq, result: p.result })],
      [
        'execution:error',
        (p: { executionId: string; seq: number; error: { code: string; message: string } }) => mine(p) && onEvent({ kind: 'error', executionId, seq: p.seq, error: p.error }),
      ],
    ];
    // After a reconnection the server has forgotten the subscription (it lives with the
    // connection): subscribe again. The server replays the execution's history first, and the
    // reducer drops what was already applied (by seq), so a gap is filled and nothing repeats.
    const resubscribe = () => {
      socket
        .timeout(timeoutMs)
        .emitWithAck('subscribe:execution', { executionId })
        .then((ack: Ack) => onResubscribed?.(ack?.status))
        .catch(() => undefined);
    };
    for (const [name, h] of handlers) socket.on(name, h);
    let subscribed = false;
    const onReconnect = () => {
      if (subscribed) resubscribe();
    };
    socket.on('connect', onReconnect);
    const stop = () => {
      for (const [name, h] of handlers) socket.off(name, h);
      socket.off('connect', onReconnect);
      if (socket.connected) socket.emit('unsubscribe:execution', { executionId });
    };
    let ack: Ack;
    try {
      ack = (await socket.timeout(timeoutMs).emitWithAck('subscribe:execution', { executionId })) as Ack;
    } catch {
      stop();
      throw new SubscribeError('NETWORK', 'live output did not answer');
    }
    if (ack?.error) {
      stop();
      throw new SubscribeError(ack.error.code, ack.error.message);
    }
    subscribed = true;
    return stop;
  }

  /**
   * Input for an interactive run (docs/queue-and-realtime.md "Interactive runs"):
   * `execution:stdin` {data}, `execution:eof`, `execution:signal` {signal}, `execution:resize`
   * {cols, rows}. Resolves with the server's acknowledgement (`{ ok: true }` or `{ error }`).
   */
  async sendInput(
    event: 'execution:stdin' | 'execution:eof' | 'execution:signal' | 'execution:resize',
    payload: { executionId: string; data?: string; signal?: string; cols?: number; rows?: number },
    timeoutMs = 5000,
  ): Promise<{ ok?: boolean; error?: { code: string; message: string } }> {
    const socket = await this.connected(timeoutMs);
    try {
      return (await socket.timeout(timeoutMs).emitWithAck(event, payload)) as { ok?: boolean; error?: { code: string; message: string } };
    } catch {
      return { error: { code: 'NETWORK', message: 'the server did not answer' } };
    }
  }

  /**
   * The Arena's submissions, same pattern as `follow`: listeners first, then
   * `subscribe:submission`; the server replays every event from seq 1 before its ack, and the
   * reducer (lib/arena/submission-live.ts) drops what it already applied. Subscribed again after
   * a reconnection; `onResubscribed` lets the page fetch the view when the replay is not enough.
   */
  async followSubmission(
    submissionId: string,
    onEvent: (e: SubmissionEvent) => void,
    timeoutMs = 5000,
    onResubscribed?: (status: string | undefined) => void,
  ): Promise<() => void> {
    const socket = await this.connected(timeoutMs);
    const mine = (p: { submissionId?: string }) => p?.submissionId === submissionId;
    // eslint-disable-next-line @typescript-eslint/no-explicit-any
    const handlers: [string, (p: any) => void][] = [
      ['submission:status', (p) => mine(p) && onEvent({ kind: 'status', ...p })],
      ['submission:progress', (p) => mine(p) && onEvent({ kind: 'progress', ...p })],
      ['submission:complete', (p) => mine(p) && onEvent({ kind: 'complete', ...p })],
      ['submission:error', (p) => mine(p) && onEvent({ kind: 'error', ...p })],
    ];
    for (const [name, h] of handlers) socket.on(name, h);
    let subscribed = false;
    const onReconnect = () => {
      if (!subscribed) return;
      socket
        .timeout(timeoutMs)
        .emitWithAck('subscribe:submission', { submissionId })
        .then((ack: Ack) => onResubscribed?.(ack?.status))
        .catch(() => undefined);
    };
    socket.on('connect', onReconnect);
    const stop = () => {
      for (const [name, h] of handlers) socket.off(name, h);
      socket.off('connect', onReconnect);
      if (socket.connected) socket.emit('unsubscribe:submission', { submissionId });
    };
    let ack: Ack;
    try {
      ack = (await socket.timeout(timeoutMs).emitWithAck('subscribe:submission', { submissionId })) as Ack;
    } catch {
      stop();
      throw new SubscribeError('NETWORK', 'live progress did not answer');
    }
    if (ack?.error) {
      stop();
      throw new SubscribeError(ack.error.code, ack.error.message);
    }
    subscribed = true;
    return stop;
  }
}
