import type { Readable, Writable } from 'node:stream';
import type { LiveInput } from '../live-input.js';
import type { StageLimits } from '../types.js';
import type { BoxEntry, BoxFile } from './box-fs.js';
import type { TimelineSample } from './timeline.js';

/** A read-only bind of a host path into the sandbox (toolchain extras such as /etc/java-17-openjdk). */
export interface Bind {
  source: string;
  dest: string;
}

export interface SandboxStage {
  /** argv[0] is an absolute path inside the sandbox, or relative to the box (./main). */
  argv: string[];
  env: Record<string, string>;
  stdin?: Buffer;
  limits: StageLimits;
  binds?: Bind[];
  onStdout?: (chunk: Buffer) => void;
  onStderr?: (chunk: Buffer) => void;
  signal?: AbortSignal;
  /**
   * Interactive stages: the program's stdin and stdout are handed to the caller as soon as it
   * is spawned (`stdin` above is then ignored, stdout is neither captured nor counted against
   * the output limit); the caller relays and ends them (engine/runner/interactive.ts).
   */
  io?: (streams: { stdin: Writable; stdout: Readable }) => void;
  /** Sample the stage's CPU and memory over time (timeline.ts). */
  timeline?: boolean;
  /**
   * Interactive runs: stdin is a pipe kept open and fed from `input` while the program runs
   * (`stdin` above is then ignored); output is captured as usual. See live-io.ts.
   */
  input?: LiveInput;
  /** With `input`: the program runs on a pseudo-terminal of this size (stdout and stderr are its output). */
  tty?: { cols: number; rows: number };
}

/** Why the stage ended, as seen by the host. */
export type EndReason = 'exited' | 'cpu' | 'wall' | 'output' | 'cancelled';

export interface SandboxOutcome {
  reason: EndReason;
  exitCode: number | null;
  /** Signal name (SIGKILL...) when the program was killed by one. */
  signal: string | null;
  cpuMs: number;
  wallMs: number;
  memoryKb: number;
  oomKilled: boolean;
  stdout: Buffer;
  stderr: Buffer;
  truncated: boolean;
  /** Set when the sandbox itself failed (nothing of the user's ran, or its result is unknown). */
  internalError?: string;
  /** With `timeline`: [ms, cpuMs, memoryKb] samples over the stage's life. */
  timeline?: TimelineSample[];
  /** Where the time went, for benchmarks (ms). */
  timings: { cgroupMs: number; spawnToExitMs: number; cleanupMs: number };
}

/** One slot: a fixed uid, a box directory, a cgroup. Used by one stage at a time. */
export interface SandboxSlot {
  readonly id: number;
  readonly uid: number;
  /** Writes files into the (empty) box; never follows links. */
  writeFiles(files: readonly BoxFile[]): void;
  /** Reads the box's regular files without following links (call only after a stage ended). */
  snapshot(maxBytes: number): BoxFile[];
  /** Empties the box. */
  clear(): void;
  /** Creates empty directories in the box, owned by the slot uid (e.g. a validator's feedback dir). */
  makeDirs(paths: readonly string[]): void;
  /** One regular file of the box, up to maxBytes, or null; never follows a link (call only after a stage ended). */
  readFile(path: string, maxBytes: number): Buffer | null;
  /** The box's entries (no directories), links never followed (call only after a stage ended). */
  list(maxEntries: number): BoxEntry[];
  run(stage: SandboxStage): Promise<SandboxOutcome>;
  /**
   * A job waits for this slot (the engine's queue is not empty): start what is prepared ahead
   * for the next stage now rather than after the short delay that keeps it off the path of the
   * answer of the job that just ended (bwrap.ts scheduleRefill).
   */
  refillNow?(): void;
}

export interface Sandbox {
  readonly name: string;
  readonly slotCount: number;
  slot(id: number): SandboxSlot;
  /** What is left between runs (should be nothing): for tests and health checks. */
  leftovers(): { pids: number[]; boxEntries: string[]; busySlots: number };
  /**
   * The engine's own processes between runs (a slot's launcher and sandbox prepared ahead for
   * its next stage, and those being taken down): a leftover check allows exactly these.
   */
  waitingPids?(): number[];
  /** Counters of how stages found their slot's launcher (hits of the sandboxes prepared ahead). */
  warmStats?(): { hit: number; miss: number; bare: number; none: number; terminal: number };
  /** Kills whatever still runs, unmounts, removes every cgroup and directory it created. */
  close(): Promise<void>;
}
