/**
 * The browser end of a workspace terminal (docs/workspaces.md "Terminal protocol"): xterm.js 6
 * on a binary WebSocket. Output is acknowledged once xterm has parsed it (its write callback),
 * which is the server's flow control; the first frames are HELLO and the screen so far (a
 * reload finds the terminal as it was). Reconnects after a drop, to the same terminal.
 */
import { FitAddon } from '@xterm/addon-fit';
import { Terminal } from '@xterm/xterm';
import '@xterm/xterm/css/xterm.css';

const IN_INPUT = 0x30;
const IN_RESIZE = 0x31;
const IN_ACK = 0x32;
const OUT_OUTPUT = 0x30;
const OUT_SNAPSHOT = 0x31;
const OUT_HELLO = 0x32;
const OUT_EXIT = 0x33;
const OUT_EVENT = 0x34;

export interface WorkspaceEvent {
  type: string;
  written?: string[];
  deleted?: string[];
  rejected?: { rel: string; code: string; message: string }[];
}

export interface TerminalHandlers {
  onHello(info: { terminalId: string; readOnly: boolean }): void;
  onEvent(e: WorkspaceEvent): void;
  onExit(): void;
  onState(state: 'connecting' | 'open' | 'closed'): void;
}

export class TerminalClient {
  readonly term: Terminal;
  private readonly fit = new FitAddon();
  private ws: WebSocket | null = null;
  private disposed = false;
  private exited = false;
  private readonly encoder = new TextEncoder();
  private resizeObserver: ResizeObserver | null = null;

  constructor(
    private readonly url: (tid: string) => string,
    private tid: string,
    private readonly handlers: TerminalHandlers,
    theme: 'light' | 'dark',
  ) {
    this.term = new Terminal({
      fontFamily: 'ui-monospace, SFMono-Regular, Menlo, Consolas, monospace',
      fontSize: 13,
      cursorBlink: true,
      scrollback: 5000,
      theme: theme === 'dark' ? { background: '#1e1e1e' } : { background: '#ffffff', foreground: '#1e1e1e', cursor: '#1e1e1e', selectionBackground: '#c8d7f0' },
    });
    this.term.loadAddon(this.fit);
    this.term.onData((d) => this.send(IN_INPUT, this.encoder.encode(d)));
    this.term.onResize(({ cols, rows }) => this.sendResize(cols, rows));
  }

  open(host: HTMLElement): void {
    this.term.open(host);
    this.fitNow();
    this.resizeObserver = new ResizeObserver(() => this.fitNow());
    this.resizeObserver.observe(host);
    this.connect();
  }

  fitNow(): void {
    try {
      this.fit.fit();
    } catch {
      // not visible
    }
  }

  get terminalId(): string {
    return this.tid;
  }

  private connect(): void {
    if (this.disposed || this.exited) return;
    this.handlers.onState('connecting');
    const q = `cols=${this.term.cols}&rows=${this.term.rows}`;
    const ws = new WebSocket(`${this.url(this.tid)}${this.url(this.tid).includes('?') ? '&' : '?'}${q}`);
    ws.binaryType = 'arraybuffer';
    this.ws = ws;
    let first = true;
    ws.onopen = () => this.handlers.onState('open');
    ws.onmessage = (m) => {
      const buf = new Uint8Array(m.data as ArrayBuffer);
      const body = buf.subarray(1);
      switch (buf[0]) {
        case OUT_OUTPUT:
          this.term.write(body, () => this.ack(body.length));
          break;
        case OUT_SNAPSHOT:
          if (first) this.term.reset();
          first = false;
          this.term.write(body);
          break;
        case OUT_HELLO: {
          const info = JSON.parse(new TextDecoder().decode(body)) as { terminalId: string; readOnly: boolean };
          this.tid = info.terminalId;
          this.term.options.disableStdin = info.readOnly;
          this.handlers.onHello(info);
          this.sendResize(this.term.cols, this.term.rows);
          break;
        }
        case OUT_EXIT:
          this.exited = true;
          this.term.write('\r\n[the shell has exited]\r\n');
          this.handlers.onExit();
          break;
        case OUT_EVENT:
          this.handlers.onEvent(JSON.parse(new TextDecoder().decode(body)) as WorkspaceEvent);
          break;
      }
    };
    ws.onclose = () => {
      this.handlers.onState('closed');
      if (!this.disposed && !this.exited) setTimeout(() => this.connect(), 1000);
    };
  }

  private ack(n: number): void {
    const b = new Uint8Array(5);
    b[0] = IN_ACK;
    new DataView(b.buffer).setUint32(1, n);
    this.ws?.readyState === WebSocket.OPEN && this.ws.send(b);
  }

  private sendResize(cols: number, rows: number): void {
    const b = new Uint8Array(5);
    b[0] = IN_RESIZE;
    new DataView(b.buffer).setUint16(1, cols);
    new DataView(b.buffer).setUint16(3, rows);
    if (this.ws?.readyState === WebSocket.OPEN) this.ws.send(b);
  }

  private send(type: number, data: Uint8Array): void {
    if (this.ws?.readyState !== WebSocket.OPEN) return;
    const b = new Uint8Array(data.length + 1);
    b[0] = type;
    b.set(data, 1);
    this.ws.send(b);
  }

  /** Types a line into the shell (the Run button). */
  typeLine(line: string): void {
    this.send(IN_INPUT, this.encoder.encode(`${line}\r`));
  }

  dispose(): void {
    this.disposed = true;
    this.resizeObserver?.disconnect();
    this.ws?.close();
    this.term.dispose();
  }
}
