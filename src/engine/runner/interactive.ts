/**
 * Two sandboxes joined by pipes, the Kattis way: the interactor's stdout feeds the submission's
 * stdin and the submission's stdout feeds the interactor's stdin. Each program runs in a slot of
 * its own (own uid, box, cgroup, limits), so the submission cannot reach the interactor's files.
 *
 * The host relays the bytes (two `Channel`s) instead of splicing the two processes' fds together.
 * That is what makes the exit order deterministic (problemtools' interactive.cc gets the same by
 * keeping the write ends of both pipes open until their writer is reaped):
 *
 * - a reader gets EOF only once its writer's end has been recorded (its `slot.run` resolved), never
 *   merely because the writer closed its stdout or died: so a program that exits because it read
 *   EOF is always recorded after the program whose end caused that EOF;
 * - once a reader has ended, whatever its writer still writes is read and dropped: the writer never
 *   gets SIGPIPE or EPIPE (whether it would depends on timing), it simply reads EOF in turn;
 * - relaying respects backpressure (a reader that does not read stops its writer, as a full pipe
 *   would), with a bounded buffer while the reader is still being started.
 *
 * The programs' stdout is not output in the usual sense: it is not counted against the output
 * limit (it is bounded by what the other side reads); a bounded copy of each direction is kept
 * as the transcript. stderr is captured as in any run.
 */
import type { Readable, Writable } from 'node:stream';
import type { SandboxOutcome, SandboxSlot, SandboxStage } from '../sandbox/sandbox.js';

/** Bytes of each direction kept as the transcript. */
export const TRANSCRIPT_BYTES = 64 * 1024;
/** Bytes buffered while the reader's sandbox is not started yet; then the writer waits. */
const PENDING_BYTES = 1024 * 1024;

/** One direction: a writer's stdout relayed to a reader's stdin. */
class Channel {
  private source: Readable | null = null;
  private sink: Writable | null = null;
  private pending: Buffer[] = [];
  private pendingBytes = 0;
  private sourceEnded = false;
  private writerDone = false;
  private readerDone = false;
  private sinkEnded = false;
  private readonly transcript: Buffer[] = [];
  private transcriptBytes = 0;

  attachSource(r: Readable): void {
    this.source = r;
    r.on('error', () => undefined);
    r.on('data', (c: Buffer) => this.push(c));
    r.on('end', () => {
      this.sourceEnded = true;
      this.maybeEnd();
    });
  }

  attachSink(w: Writable): void {
    w.on('error', () => undefined); // EPIPE: the reader ended without reading everything
    if (this.readerDone) return;
    this.sink = w;
    const queued = this.pending;
    this.pending = [];
    this.pendingBytes = 0;
    for (const c of queued) this.forward(c);
    this.source?.resume();
    this.maybeEnd();
  }

  /** The writer's end is recorded: its reader may see EOF once everything written is relayed. */
  writerExited(): void {
    this.writerDone = true;
    // A sandbox that failed before spawning never attached its stdout: nothing more will come.
    if (!this.source) this.sourceEnded = true;
    this.maybeEnd();
  }

  /** The reader's end is recorded: drop whatever the writer still writes, never block it. */
  readerExited(): void {
    this.readerDone = true;
    this.pending = [];
    this.pendingBytes = 0;
    this.sink?.destroy();
    this.sink = null;
    this.source?.resume();
  }

  written(): Buffer {
    return Buffer.concat(this.transcript);
  }

  private push(c: Buffer): void {
    if (this.transcriptBytes < TRANSCRIPT_BYTES) {
      const part = c.subarray(0, TRANSCRIPT_BYTES - this.transcriptBytes);
      this.transcript.push(part);
      this.transcriptBytes += part.length;
    }
    if (this.readerDone) return;
    if (!this.sink) {
      this.pending.push(c);
      this.pendingBytes += c.length;
      if (this.pendingBytes >= PENDING_BYTES) this.source?.pause();
      return;
    }
    this.forward(c);
  }

  private forward(c: Buffer): void {
    const sink = this.sink!;
    if (!sink.write(c)) {
      this.source?.pause();
      sink.once('drain', () => {
        if (!this.readerDone) this.source?.resume();
      });
    }
  }

  private maybeEnd(): void {
    // EOF for the reader needs both: the writer's end recorded, and all it wrote relayed.
    if (this.sinkEnded || !this.sink || !this.writerDone || !this.sourceEnded) return;
    this.sinkEnded = true;
    this.sink.end();
  }
}

export interface PairOutcome {
  submission: SandboxOutcome;
  interactor: SandboxOutcome;
  /** The interactor's end was recorded before the submission's. */
  interactorFirst: boolean;
  /** Transcripts (each cut at TRANSCRIPT_BYTES). */
  submissionWrote: Buffer;
  interactorWrote: Buffer;
}

type PairStage = Omit<SandboxStage, 'stdin' | 'io' | 'signal' | 'onStdout' | 'onStderr'>;

/** Runs both programs (their boxes already hold them) and relays between them. */
export async function runPair(
  subSlot: SandboxSlot,
  intSlot: SandboxSlot,
  sub: PairStage,
  int: PairStage,
  signal: AbortSignal | undefined,
): Promise<PairOutcome> {
  const toSubmission = new Channel();
  const toInteractor = new Channel();
  let first: 'submission' | 'interactor' | null = null;
  const record = (who: 'submission' | 'interactor') => {
    first ??= who;
    if (who === 'submission') {
      toInteractor.writerExited();
      toSubmission.readerExited();
    } else {
      toSubmission.writerExited();
      toInteractor.readerExited();
    }
  };
  const subRun = subSlot
    .run({
      ...sub,
      ...(signal ? { signal } : {}),
      io: ({ stdin, stdout }) => {
        toSubmission.attachSink(stdin);
        toInteractor.attachSource(stdout);
      },
    })
    .then((o) => {
      record('submission');
      return o;
    });
  const intRun = intSlot
    .run({
      ...int,
      ...(signal ? { signal } : {}),
      io: ({ stdin, stdout }) => {
        toInteractor.attachSink(stdin);
        toSubmission.attachSource(stdout);
      },
    })
    .then((o) => {
      record('interactor');
      return o;
    });
  const [submission, interactor] = await Promise.all([subRun, intRun]);
  return {
    submission,
    interactor,
    interactorFirst: first === 'interactor',
    submissionWrote: toInteractor.written(),
    interactorWrote: toSubmission.written(),
  };
}
