import type { IPty } from '@lydell/node-pty';
import headless from '@xterm/headless';
import { SerializeAddon } from '@xterm/addon-serialize';
import type { WebSocket } from 'ws';
import { clampSize } from '../engine/sandbox/workspace-box.js';
import { HIGH_WATER, LOW_WATER, MAX_CLIENT_FRAME, Out, VIEWER_MAX_BUFFERED, decodeClientFrame, frame, jsonFrame } from './terminal-protocol.js';

const { Terminal } = headless;

interface Client {
  ws: WebSocket;
  readOnly: boolean;
  /** OUTPUT bytes sent and not yet acknowledged. */
  unacked: number;
}

/**
 * One terminal of a workspace: the pty (whose shell runs in the sandbox), a headless xterm that
 * keeps the screen for reattach, and the sockets attached to it. It is keyed by workspace and
 * terminal id, never by socket: closing a socket leaves the shell running (the workspace's idle
 * policy decides when it ends).
 *
 * Flow control: output is read from the pty only while every writer (and the headless screen)
 * has less than HIGH_WATER bytes unprocessed; it resumes below LOW_WATER. So `yes` cannot fill the
 * server's memory, and Ctrl-C typed meanwhile reaches the pty at once (input is never paused).
 */
export class TerminalSession {
  private readonly clients = new Set<Client>();
  private readonly screen: InstanceType<typeof Terminal>;
  private readonly serializer = new SerializeAddon();
  /** Bytes written to the headless screen and not parsed yet. */
  private screenPending = 0;
  private paused = false;
  private exited = false;
  cols: number;
  rows: number;

  constructor(
    readonly id: string,
    private readonly pty: IPty,
    private readonly hooks: { onActivity(): void; onExit(session: TerminalSession): void },
    size: { cols: number; rows: number },
  ) {
    this.cols = size.cols;
    this.rows = size.rows;
    this.screen = new Terminal({ cols: this.cols, rows: this.rows, scrollback: 1000, allowProposedApi: true });
    this.screen.loadAddon(this.serializer);
    pty.onData((data) => this.output(data));
    pty.onExit(({ exitCode, signal }) => {
      this.exited = true;
      const bye = jsonFrame(Out.exit, { exitCode, signal: signal ?? null });
      for (const c of this.clients) {
        send(c.ws, bye);
        c.ws.close(1000, 'terminal exited');
      }
      this.clients.clear();
      this.screen.dispose();
      hooks.onExit(this);
    });
  }

  get attached(): number {
    return this.clients.size;
  }

  get pid(): number {
    return this.pty.pid;
  }

  private output(data: string): void {
    this.hooks.onActivity();
    const bytes = Buffer.from(data, 'utf8');
    this.screenPending += bytes.length;
    this.screen.write(data, () => {
      this.screenPending -= bytes.length;
      this.maybeResume();
    });
    const out = frame(Out.output, bytes);
    for (const c of this.clients) {
      if (c.readOnly && c.ws.bufferedAmount > VIEWER_MAX_BUFFERED) {
        c.ws.close(4008, 'too far behind: reconnect');
        continue;
      }
      c.unacked += bytes.length;
      send(c.ws, out);
    }
    if (!this.paused && this.backlog() > HIGH_WATER) {
      this.paused = true;
      this.pty.pause();
    }
  }

  /** The largest backlog among the consumers that gate the pty: the screen and every writer. */
  private backlog(): number {
    let max = this.screenPending;
    for (const c of this.clients) if (!c.readOnly) max = Math.max(max, c.unacked, c.ws.bufferedAmount);
    return max;
  }

  private maybeResume(): void {
    if (this.paused && !this.exited && this.backlog() < LOW_WATER) {
      this.paused = false;
      this.pty.resume();
    }
  }

  /** Attaches a socket: HELLO, then the screen so far, then live output. */
  attach(ws: WebSocket, readOnly: boolean): void {
    if (this.exited) {
      ws.close(4004, 'terminal exited');
      return;
    }
    const client: Client = { ws, readOnly, unacked: 0 };
    this.clients.add(client);
    send(ws, jsonFrame(Out.hello, { terminalId: this.id, readOnly, cols: this.cols, rows: this.rows }));
    send(ws, frame(Out.snapshot, this.serializer.serialize({ scrollback: 1000 })));
    ws.on('message', (raw: Buffer, isBinary: boolean) => {
      const buf = Buffer.isBuffer(raw) ? raw : Buffer.from(raw as ArrayBuffer);
      if (!isBinary || buf.length > MAX_CLIENT_FRAME) return;
      const f = decodeClientFrame(buf);
      if (!f) return;
      if (f.type === 'ack') {
        client.unacked = Math.max(0, client.unacked - f.bytes);
        this.maybeResume();
        return;
      }
      if (readOnly || this.exited) return;
      this.hooks.onActivity();
      if (f.type === 'input') this.pty.write(f.data.toString('utf8'));
      else this.resize(f.cols, f.rows);
    });
    ws.on('close', () => {
      this.clients.delete(client);
      this.maybeResume();
    });
  }

  /** The latest writer's size wins (tmux's "latest"); absurd sizes are clamped. */
  resize(cols: number, rows: number): void {
    const c = clampSize(cols, this.cols, 500);
    const r = clampSize(rows, this.rows, 200);
    if (c === this.cols && r === this.rows) return;
    this.cols = c;
    this.rows = r;
    try {
      this.pty.resize(c, r);
      this.screen.resize(c, r);
    } catch {
      // the pty is gone
    }
  }

  /** Events of the workspace (file changes, sync errors) to every attached socket. */
  broadcast(event: unknown): void {
    const f = jsonFrame(Out.event, event);
    for (const c of this.clients) send(c.ws, f);
  }

  /** Flow-control state: whether the pty is paused, and the largest unprocessed backlog (bytes). */
  get flow(): { paused: boolean; backlogBytes: number } {
    return { paused: this.paused, backlogBytes: this.backlog() };
  }

  /** The screen as text (tests, debugging). */
  serialize(): string {
    return this.serializer.serialize();
  }

  kill(): void {
    try {
      this.pty.kill('SIGKILL');
    } catch {
      // gone
    }
  }
}

function send(ws: WebSocket, data: Buffer): void {
  if (ws.readyState === ws.OPEN) ws.send(data);
}
