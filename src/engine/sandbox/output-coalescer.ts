/**
 * Batches a stream's chunks before they reach a live-output callback. A program writing one byte
 * at a time produces one pipe read per byte; handed on one by one, each would become an IPC
 * message, a bus event and a socket emit, and the host would spend several times the CPU the
 * program is billed for (red-team L3). Chunks are held until `maxBytes` are pending or `delayMs`
 * after the first pending one, whichever comes first, and always at `flush()` (end of stage).
 * Order within the stream is kept; the bytes delivered are exactly the bytes received.
 */
export class OutputCoalescer {
  private pending: Buffer[] = [];
  private pendingBytes = 0;
  private timer: NodeJS.Timeout | null = null;

  constructor(
    private readonly deliver: (chunk: Buffer) => void,
    private readonly maxBytes = 32 * 1024,
    private readonly delayMs = 25,
  ) {}

  push(chunk: Buffer): void {
    if (!chunk.length) return;
    this.pending.push(chunk);
    this.pendingBytes += chunk.length;
    if (this.pendingBytes >= this.maxBytes) this.flush();
    else this.timer ??= setTimeout(() => this.flush(), this.delayMs);
  }

  flush(): void {
    if (this.timer) {
      clearTimeout(this.timer);
      this.timer = null;
    }
    if (!this.pendingBytes) return;
    const chunk = this.pending.length === 1 ? this.pending[0]! : Buffer.concat(this.pending, this.pendingBytes);
    this.pending = [];
    this.pendingBytes = 0;
    this.deliver(chunk);
  }
}
