import { spawnSync } from 'node:child_process';
import { randomBytes } from 'node:crypto';
import fs from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import { performance } from 'node:perf_hooks';
import { ErrorCodes, SystemError } from '../../errors.js';
import type { CgroupDriver } from '../cgroups/cgroup.js';
import { type BoxEntry, type BoxFile, clearBox, listBox, makeBoxDirs, readBoxFile, snapshotBox, writeBoxFiles } from './box-fs.js';
import type { Bind, EndReason, Sandbox, SandboxOutcome, SandboxSlot, SandboxStage } from './sandbox.js';
import { seccompFilter } from './seccomp.js';
import { parseStatus } from './launch-status.js';
import { OutputCoalescer, type StreamIndex } from './output-coalescer.js';
import { StagedBinds } from './staged-binds.js';
import { TimelineSampler } from './timeline.js';
import { type PendingLauncher, startPending } from './warm-launcher.js';
import { sweepStaleInstances, unmountAndRemove } from '../host.js';
import { attachLiveInput, LIVE_OUTPUT_DELAY_MS, openTerminal, programPids, type Terminal } from './live-io.js';

export interface BwrapOptions {
  slots: number;
  /** Slot n runs as uid/gid uidBase + n (never 0). */
  uidBase: number;
  /** Host directory for per-instance box mounts; must be traversable by the slot uids. */
  runDir: string;
  /** Size of each slot's box tmpfs. */
  boxBytes: number;
  launcherPath: string;
  bwrapPath: string;
  cgroups: CgroupDriver;
  /** CPU watchdog poll interval. */
  cpuPollMs: number;
  /**
   * Start each slot's launcher for its next stage ahead, inside the slot's cgroups (default):
   * no cgroup move on the run path. Off: every stage starts its launcher itself (benchmarks).
   */
  prestart?: boolean;
  /**
   * Also set the next stage's whole sandbox up ahead (namespaces, mounts, seccomp, init), for
   * the options expected next (those that most often followed the slot's last stage); a stage
   * with other options takes a fresh one.
   */
  warm?: boolean;
  /**
   * Which options a warm sandbox is prepared for: those that most often followed the slot's
   * last stage (default), or those that followed it the last time (the first version; kept for
   * bench/warm-hits.ts to compare).
   */
  warmPredictor?: 'frequent' | 'last';
  /**
   * With `warm`: read-only binds every stage gets besides its own (the languages' host
   * configuration directories under /etc bound at the same path, /etc/php, /etc/fonts...), so
   * that stages of different languages with the same limits have the same sandbox options and
   * one prepared sandbox serves them all. Sources that do not exist are left out.
   */
  sharedBinds?: readonly Bind[];
}

/**
 * The launcher opens its own executable on this fd and bubblewrap execs it from there as the
 * sandbox's pid 1 (`--as-pid-1`): the init has no path inside the sandbox, and /proc/1/cmdline
 * shows "init" (the init blanks its arguments), not bubblewrap's argv with host paths.
 */
export const INIT_FD = 5;
/** The init's end of the socket on which the launcher hands it its stage. */
const INIT_CONTROL_FD = 6;
/** How long after a stage (or a clear) the slot starts its next launcher (see scheduleRefill). */
const REFILL_DELAY_MS = 20;
/** A prepared sandbox nobody used for this long is taken down (the slot keeps a bare launcher). */
const WARM_IDLE_MS = 60_000;
/**
 * What of /usr/local the sandbox sees: nothing, unless a toolchain is installed there. None of
 * the ten languages is (they are Debian packages under /usr, plus TypeScript from the checkout),
 * and /usr/local holds the host's own things (npmrc, pip.conf, CA certificates, CUDA...).
 */
export const USR_LOCAL_VISIBLE: readonly string[] = [];
/**
 * How each stage found its slot's launcher. `hit`: a sandbox prepared ahead for exactly its
 * options (the fast path); `miss`: one prepared for other options (thrown away, a fresh
 * launcher started on the run path); `bare`: a launcher waiting in the cgroups, no sandbox
 * prepared (SANDBOX_WARM off, the box was not fresh, the slot was idle, or no stage seen yet);
 * `none`: nothing waiting (the stage came before the refill, or prestart is off); `terminal`:
 * a terminal stage, which always takes a launcher of its own.
 */
export interface WarmCounters {
  hit: number;
  miss: number;
  bare: number;
  none: number;
  terminal: number;
}

export function emptyCounters(): WarmCounters {
  return { hit: 0, miss: 0, bare: 0, none: 0, terminal: 0 };
}

/** Number to name; the first name listed wins (SIGABRT, not its alias SIGIOT; SIGIO, not SIGPOLL). */
const SIGNAL_NAMES = new Map<number, string>();
for (const [name, num] of Object.entries(os.constants.signals)) if (!SIGNAL_NAMES.has(num as number)) SIGNAL_NAMES.set(num as number, name);

/** The read-only view of the host every stage gets: /usr, the merged-usr links, and a few files of /etc. */
export function baseRootArgs(): string[] {
  const args = ['--ro-bind', '/usr', '/usr'];
  for (const dir of ['/bin', '/sbin', '/lib', '/lib64', '/lib32']) {
    let st: fs.Stats;
    try {
      st = fs.lstatSync(dir);
    } catch {
      continue;
    }
    if (st.isSymbolicLink()) args.push('--symlink', fs.readlinkSync(dir), dir);
    else if (st.isDirectory()) args.push('--ro-bind', dir, dir);
  }
  for (const f of ['/etc/alternatives', '/etc/ld.so.cache', '/etc/ld.so.conf', '/etc/ld.so.conf.d', '/etc/localtime']) {
    if (fs.existsSync(f)) args.push('--ro-bind', f, f);
  }
  // Mask /usr/local: an empty read-only tmpfs over it, with only the listed parts bound back.
  if (fs.existsSync('/usr/local')) {
    args.push('--size', '4096', '--tmpfs', '/usr/local');
    for (const p of USR_LOCAL_VISIBLE) if (fs.existsSync(p)) args.push('--ro-bind', p, p);
    args.push('--remount-ro', '/usr/local');
  }
  return args;
}

/** Inodes of a tmpfs of `bytes`: as many as one-page files fit (empty files take only inodes). */
export function tmpfsInodes(bytes: number): number {
  return Math.max(4096, Math.floor(bytes / 4096));
}

export class BwrapSandbox implements Sandbox {
  readonly name = 'bwrap';
  readonly slotCount: number;
  private readonly instanceDir: string;
  private readonly extras: StagedBinds;
  private readonly rootArgs = baseRootArgs();
  private readonly slots: BwrapSlot[] = [];
  /**
   * The /dev of stages without a terminal: null, zero, full, random, urandom, the fd links and
   * an empty shm directory, on a read-only tmpfs made once per engine instance
   * (`muscode-sandbox devdir`). One bind per stage instead of bubblewrap's `--dev` (a tmpfs, six
   * device binds and a devpts per run).
   */
  private readonly devDir: string;
  private closed = false;

  constructor(readonly opts: BwrapOptions) {
    if (process.getuid?.() !== 0) {
      throw new SystemError(ErrorCodes.sandboxUnavailable, 'the engine must run as root to create sandboxes (cgroups, slot uids)');
    }
    if (opts.uidBase < 1000 || opts.uidBase + opts.slots > 2 ** 31) {
      throw new SystemError(ErrorCodes.invalidConfig, `uidBase ${opts.uidBase} must be >= 1000`);
    }
    for (const bin of [opts.bwrapPath, opts.launcherPath]) {
      if (!fs.existsSync(bin)) throw new SystemError(ErrorCodes.sandboxUnavailable, `${bin} not found (run make)`);
    }
    // The launcher is also the init, exec'd by bubblewrap as the slot uid from an fd (so no
    // directory on its path matters, only the file's own mode).
    if ((fs.statSync(opts.launcherPath).mode & 0o005) !== 0o005) {
      throw new SystemError(ErrorCodes.sandboxUnavailable, `${opts.launcherPath} must be readable and executable by others (chmod 755)`);
    }
    this.slotCount = opts.slots;
    sweepStaleInstances(opts.runDir);
    fs.mkdirSync(opts.runDir, { recursive: true, mode: 0o711 });
    fs.chmodSync(opts.runDir, 0o711);
    this.instanceDir = path.join(opts.runDir, `${process.pid}-${randomBytes(4).toString('hex')}`);
    fs.mkdirSync(this.instanceDir, { mode: 0o711 });
    this.extras = new StagedBinds(this.instanceDir);
    this.devDir = path.join(this.instanceDir, 'dev');
    try {
      fs.mkdirSync(this.devDir, { mode: 0o755 });
      const r = spawnSync(opts.launcherPath, ['devdir', this.devDir]);
      if (r.status !== 0) throw new SystemError(ErrorCodes.sandboxUnavailable, `cannot make the sandbox's /dev: ${r.stderr?.toString().trim() || r.error?.message}`);
      for (let i = 0; i < opts.slots; i++) this.slots.push(new BwrapSlot(this, i));
    } catch (err) {
      void this.close();
      throw err;
    }
  }

  slot(id: number): SandboxSlot {
    const s = this.slots[id];
    if (!s) throw new Error(`no slot ${id}`);
    return s;
  }

  /**
   * Builds bwrap's argv for one stage. Every value is a separate argv entry: no shell, ever.
   * `tmpPath` is the mount point of the stage's private /tmp, mounted by the launcher.
   */
  bwrapArgs(boxPath: string, tmpPath: string, stage: SandboxStage): string[] {
    const a = [
      '--as-pid-1',
      '--unshare-user',
      '--unshare-ipc',
      '--unshare-pid',
      '--unshare-net',
      '--unshare-uts',
      '--unshare-cgroup',
      // No --disable-userns (a nested user namespace per run, with max_user_namespaces 0): the
      // seccomp filter already refuses every way to make or enter one (unshare, setns, clone
      // with CLONE_NEWUSER, clone3), `test/hostile/syscalls.test.ts` attacks each.
      '--die-with-parent',
      '--new-session',
      '--cap-drop',
      'ALL',
      '--hostname',
      'muscode',
      ...this.rootArgs,
    ];
    for (const b of stage.binds ?? []) a.push('--ro-bind', this.extras.source(b), b.dest);
    a.push('--proc', '/proc');
    // A terminal stage gets bubblewrap's /dev (its tty node and a devpts of its own, for the
    // program's terminal); the others the engine's small one (see devDir), bound as it is, with
    // a fresh /dev/shm of the stage's /tmp size.
    if (stage.tty && stage.input) a.push('--dev', '/dev');
    else a.push('--dev-bind', this.devDir, '/dev', '--size', String(stage.limits.tmpBytes), '--tmpfs', '/dev/shm');
    a.push('--bind', tmpPath, '/tmp');
    a.push('--bind', boxPath, '/box', '--chdir', '/box');
    a.push('--remount-ro', '/');
    a.push('--clearenv');
    for (const [k, v] of Object.entries(stage.env)) a.push('--setenv', k, v);
    a.push('--seccomp', '3');
    // A terminal stage's init makes the program its session leader (`--tty`, muscode-sandbox.c).
    const tty = stage.tty && stage.input ? ['--tty'] : [];
    // With no argv: the init reads its stage (environment and argv) from INIT_CONTROL_FD.
    if (stage.argv.length) a.push('--', `/proc/self/fd/${INIT_FD}`, 'init', '--status-fd', '4', ...tty, '--', ...stage.argv);
    else a.push('--', `/proc/self/fd/${INIT_FD}`, 'init', '--status-fd', '4', ...tty, '--control-fd', String(INIT_CONTROL_FD));
    return a;
  }

  /** The shared binds whose source exists here, sorted by destination (see sharedBinds). */
  private sharedCache: readonly Bind[] | null = null;

  private get shared(): readonly Bind[] {
    if (!this.sharedCache) {
      // Under /etc only: /etc exists in every sandbox anyway, so the root's listing is unchanged
      // (Haskell's /var/lib/ghc stays Haskell's own).
      const all = this.opts.warm ? (this.opts.sharedBinds ?? []).filter((b) => b.source === b.dest && b.dest.startsWith('/etc/') && fs.existsSync(b.source)) : [];
      this.sharedCache = [...new Map(all.map((b) => [b.dest, b])).values()].sort((x, y) => (x.dest < y.dest ? -1 : x.dest > y.dest ? 1 : 0));
    }
    return this.sharedCache;
  }

  /**
   * A stage's binds: the shared ones (sorted, so that the options of two stages compare), then
   * its own that are not among them. A shared bind at a destination the stage binds from
   * another source is left out.
   */
  stageBinds(own: readonly Bind[] | undefined): Bind[] {
    const mine = own ?? [];
    const ownByDest = new Map(mine.map((b) => [b.dest, b]));
    const out = this.shared.filter((b) => {
      const o = ownByDest.get(b.dest);
      return !o || o.source === b.source;
    });
    const have = new Set(out.map((b) => b.dest));
    return [...out, ...mine.filter((b) => !have.has(b.dest))];
  }

  /**
   * The launcher's message that sets a sandbox up before its stage is known (warm-launcher.ts):
   * everything of the stage but its environment, argv and stdin, which the init receives
   * later. Two stages with the same message can use the same prepared sandbox.
   */
  prepareArgs(boxPath: string, tmpPath: string, uid: number, stage: Pick<SandboxStage, 'binds' | 'limits' | 'tty' | 'input'>): string[] {
    return [
      ...this.launcherArgs(uid, [], tmpPath, stage.limits).slice(1), // "launch" was on the command line
      '--init-control-fd',
      String(INIT_CONTROL_FD),
      '--',
      this.opts.bwrapPath,
      ...this.bwrapArgs(boxPath, tmpPath, { argv: [], env: {}, limits: stage.limits, binds: stage.binds, tty: stage.tty, input: stage.input }),
    ];
  }

  /**
   * The launcher's options for one stage, up to (not including) "--": status fd, uid, cgroups,
   * rlimits, the private /tmp and the init fd. Every fd but 0-2, 3 (bwrap's seccomp program), 4
   * (status) and the init fd is closed on exec by the launcher.
   */
  launcherArgs(uid: number, procsFiles: readonly string[], tmpPath: string, limits: SandboxStage['limits']): string[] {
    const cpuSoft = Math.ceil(limits.cpuMs / 1000) + 1;
    return [
      'launch',
      '--status-fd',
      '4',
      '--uid',
      String(uid),
      '--gid',
      String(uid),
      ...procsFiles.flatMap((f) => ['--cgroup', f]),
      '--rlimit',
      `cpu=${cpuSoft}:${cpuSoft + 1}`,
      '--rlimit',
      `fsize=${limits.fileBytes}:${limits.fileBytes}`,
      '--rlimit',
      `nofile=${limits.openFiles}:${limits.openFiles}`,
      '--rlimit',
      'core=0:0',
      '--tmp-mount',
      tmpPath,
      '--tmp-bytes',
      String(limits.tmpBytes),
      '--tmp-inodes',
      String(tmpfsInodes(limits.tmpBytes)),
      '--init-fd',
      String(INIT_FD),
      '--keep-fd',
      '3',
    ];
  }

  /**
   * The processes that are the engine's own between runs: each slot's launcher waiting for its
   * next stage, the sandbox prepared below it (bubblewrap, our init: these run as the slot uid),
   * and those being taken down. Nothing a run started is among them (a run's processes are
   * killed with its stage; an orphan is reparented inside its own pid namespace, never to these).
   */
  waitingPids(): number[] {
    return this.slots.flatMap((s) => [...s.ownTree()]);
  }

  /** How stages found their slot's launcher, summed over the slots (see WarmCounters). */
  warmStats(): WarmCounters {
    const sum = emptyCounters();
    for (const s of this.slots) for (const k of Object.keys(sum) as (keyof WarmCounters)[]) sum[k] += s.counters[k];
    return sum;
  }

  leftovers(): { pids: number[]; boxEntries: string[]; busySlots: number } {
    // A slot's launcher for its next stage waits in the slot's cgroup (warm-launcher.ts): it is
    // the engine's own, not something a run left behind.
    const inside = this.opts.cgroups.leftoverPids();
    const pending = new Set(this.slots.flatMap((s) => [...s.pendingTree()]));
    return {
      pids: inside.filter((p) => !pending.has(p)),
      boxEntries: this.slots.flatMap((s) => fs.readdirSync(s.boxPath).map((n) => `slot-${s.id}/${n}`)),
      busySlots: this.slots.filter((s) => s.busy).length,
    };
  }

  /** Mount point of slot `id`'s private /tmp (for benchmarks that drive the launcher by hand). */
  slotTmpPath(id: number): string {
    const s = this.slots[id];
    if (!s) throw new Error(`no slot ${id}`);
    return s.tmpPath;
  }

  /**
   * A file holding a batch stage's stdin, 0444, by a random name in the instance directory
   * (root's, 0711: not listable, and in no sandbox's mount namespace). The launcher opens it
   * read-only (`--stdin-file` in the stage message) and passes the descriptor to the init, which
   * makes it the program's fd 0; the engine removes the file when the stage ends. Read-only:
   * through a writable descriptor the program could grow a file outside its box's quota; it
   * may reopen it via /proc/self/fd/0.
   */
  stdinPath(data: Buffer): string {
    const file = path.join(this.instanceDir, `stdin-${randomBytes(8).toString('hex')}`);
    const w = fs.openSync(file, fs.constants.O_WRONLY | fs.constants.O_CREAT | fs.constants.O_EXCL | fs.constants.O_NOFOLLOW, 0o444);
    try {
      for (let done = 0; done < data.length; ) done += fs.writeSync(w, data, done, data.length - done, done);
    } catch (err) {
      fs.rmSync(file, { force: true });
      throw err;
    } finally {
      fs.closeSync(w);
    }
    return file;
  }

  get isClosed(): boolean {
    return this.closed;
  }

  get instancePath(): string {
    return this.instanceDir;
  }

  async close(): Promise<void> {
    if (this.closed) return;
    this.closed = true;
    for (const s of this.slots) await s.kill();
    await this.opts.cgroups.close();
    for (const s of this.slots) s.unmount();
    unmountAndRemove(this.devDir);
    this.extras.close();
    fs.rmSync(this.instanceDir, { recursive: true, force: true });
  }
}

class BwrapSlot implements SandboxSlot {
  readonly uid: number;
  /** The slot's tmpfs, root-owned: the program never sees this directory itself. */
  private readonly mountPath: string;
  /**
   * The box: a directory on that tmpfs, made afresh by every clear(). Its mode, timestamps and
   * extended attributes belong to the program while it runs (it owns /box); were /box the
   * tmpfs root, they would outlive the run and reach the next one in the slot.
   */
  readonly boxPath: string;
  /**
   * Mount point of the stage's /tmp. The tmpfs itself exists only in the launcher's private mount
   * namespace (fresh for every stage, gone with it); on the host this stays an empty directory.
   */
  readonly tmpPath: string;
  private running: Promise<unknown> | null = null;
  private killCurrent: (() => void) | null = null;
  /** The launcher of this slot's next stage, started ahead (warm-launcher.ts). */
  private pending: PendingLauncher | null = null;
  /**
   * What a warm sandbox is set up for: the sandbox options (prepareArgs) that most often followed
   * the slot's last stage (a compile is followed by its run; a run by the next job's first stage,
   * which in a mix is sometimes a compile, sometimes a run of a cached build, sometimes another
   * language), keyed by that last stage's key, with how often each followed it.
   */
  private readonly follows = new Map<string, Map<string, { args: string[]; key: string; count: number }>>();
  private lastKey = '';
  private last: { args: string[]; key: string } | null = null;
  /** Idle past WARM_IDLE_MS: no warm sandbox until the next stage. */
  private idle = false;
  /**
   * The box was written to or used since it was made: a sandbox prepared now would bind a
   * directory that clear() replaces. A clean box is left as it is by clear().
   */
  private dirty = false;
  private idleTimer: NodeJS.Timeout | null = null;
  private refillTimer: NodeJS.Timeout | null = null;
  /** How the stages of this slot found their launcher (warmStats). */
  readonly counters = emptyCounters();

  constructor(
    private readonly sb: BwrapSandbox,
    readonly id: number,
  ) {
    this.uid = sb.opts.uidBase + id;
    this.mountPath = path.join(sbInstanceDir(sb), `slot-${id}`);
    this.boxPath = path.join(this.mountPath, 'box');
    this.tmpPath = path.join(sb.instancePath, `tmp-${id}`);
    fs.mkdirSync(this.tmpPath, { mode: 0o700 });
    fs.mkdirSync(this.mountPath, { mode: 0o711 });
    this.mount();
    try {
      this.makeBox();
    } catch (err) {
      // This slot is not in the sandbox's list yet, so its close() would not unmount it and its
      // removal would fail (EBUSY), hiding this error (seen in a container without CAP_CHOWN).
      this.unmount();
      throw err;
    }
    this.refill();
  }

  /**
   * Spawning from Node forks the whole engine process (hundreds of MB with an embedded PGlite
   * next to it): tens of ms on a loaded machine, during which the event loop stands still. Done
   * at once after a stage, that landed on the path of the job's own answer (measured through the
   * API: +100 ms at load 20); a short delay lets the answer go out first.
   */
  private scheduleRefill(): void {
    if (this.refillTimer) return;
    this.refillTimer = setTimeout(() => {
      this.refillTimer = null;
      this.refill();
    }, REFILL_DELAY_MS);
    this.refillTimer.unref();
  }

  refillNow(): void {
    if (this.refillTimer) clearTimeout(this.refillTimer);
    this.refillTimer = null;
    this.refill();
  }

  /** The waiting launcher and its sandbox's processes, if any (the engine's own, not a run's). */
  pendingTree(): Set<number> {
    return this.pending?.tree() ?? new Set();
  }

  /** The waiting launcher's tree and those of the launchers being taken down (waitingPids). */
  ownTree(): Set<number> {
    const out = this.pendingTree();
    for (const p of this.discardingLaunchers) for (const pid of p.tree()) out.add(pid);
    return out;
  }

  /**
   * Starts the launcher of the slot's next stage, unless one waits already or a stage runs;
   * with `warm`, and a clean box, also sets up the sandbox for the options expected next
   * (predict; the last stage's own when nothing followed it yet).
   */
  private refill(): void {
    if (this.sb.isClosed || this.sb.opts.prestart === false || this.running) return;
    try {
      this.pending ??= startPending(this.sb.opts.launcherPath, this.sb.opts.cgroups, this.id, 4);
      const p = this.pending;
      // Never seen what follows the last stage: guess the same options again (nothing at all
      // before the slot's first stage).
      const next = this.predict() ?? this.last;
      if (this.sb.opts.warm && !this.dirty && !this.idle && next && p.key === undefined && !p.dead) {
        p.prepare(next.args, seccompFilter(), next.key);
        // Bounded in time too: an idle slot keeps only its (bare) launcher.
        this.idleTimer = setTimeout(() => {
          this.idleTimer = null;
          if (this.pending !== p || this.running) return;
          this.pending = null;
          this.idle = true;
          void this.discard(p).then(() => this.refill());
        }, WARM_IDLE_MS);
        this.idleTimer.unref();
      }
    } catch {
      // Not fatal: the stage will start its launcher itself (and report why if it cannot).
    }
  }

  /** The options that most often followed the last stage (the latest one on a tie). */
  private predict(): { args: string[]; key: string } | undefined {
    let best: { args: string[]; key: string; count: number } | undefined;
    const last = this.sb.opts.warmPredictor === 'last';
    // Followers are kept in the order last seen: the last one, or the most frequent (latest on a tie).
    for (const f of this.follows.get(this.lastKey)?.values() ?? []) if (!best || last || f.count >= best.count) best = f;
    return best;
  }

  /** Counts `next` as following the last stage; bounded (32 stages, 8 followers each). */
  private remember(next: { args: string[]; key: string }): void {
    if (this.follows.size >= 32 && !this.follows.has(this.lastKey)) this.follows.clear();
    let after = this.follows.get(this.lastKey);
    if (!after) this.follows.set(this.lastKey, (after = new Map()));
    const seen = after.get(next.key);
    if (seen) {
      // Re-inserted: the latest follower wins a tie (iteration order is insertion order).
      after.delete(next.key);
      after.set(next.key, { ...next, count: seen.count + 1 });
      // Halved now and then, so that a change in the mix wins within a few stages.
      if (seen.count + 1 > 16) for (const f of after.values()) f.count = Math.ceil(f.count / 2);
    } else {
      if (after.size >= 8) after.clear();
      after.set(next.key, { ...next, count: 1 });
    }
  }

  /**
   * The waiting launcher if it is bare or prepared for `key`, else a new one (the first stage,
   * other options, or after a failure). A terminal stage always gets a new one: its fds 0-2 are
   * the pty's slave side, which the waiting launcher (pipes) does not have.
   */
  private takePending(key: string, terminal?: number): PendingLauncher {
    const p = this.pending;
    this.pending = null;
    if (this.idleTimer) clearTimeout(this.idleTimer);
    this.idleTimer = null;
    const usable = p && !p.dead;
    if (terminal !== undefined) this.counters.terminal++;
    else if (!usable) this.counters.none++;
    else if (p.key === undefined) this.counters.bare++;
    else if (p.key === key) this.counters.hit++;
    else this.counters.miss++;
    if (terminal === undefined && usable && (p.key === undefined || p.key === key)) return p;
    if (p) void this.discard(p);
    return startPending(this.sb.opts.launcherPath, this.sb.opts.cgroups, this.id, 4, terminal);
  }

  /** Launchers being taken down in the background; kill() waits for them. */
  private readonly discarding = new Set<Promise<void>>();
  private readonly discardingLaunchers = new Set<PendingLauncher>();

  private discard(p: PendingLauncher): Promise<void> {
    this.discardingLaunchers.add(p);
    const d = this.discardNow(p).finally(() => {
      this.discarding.delete(d);
      this.discardingLaunchers.delete(p);
    });
    this.discarding.add(d);
    return d;
  }

  private async discardNow(p: PendingLauncher): Promise<void> {
    // A prepared sandbox: its bubblewrap and init go first, so that the launcher (their
    // subreaper) reaps them and exits; killed after it, they would be left to the host's init.
    if (p.key !== undefined) for (const pid of p.tree()) if (pid !== p.pid) safeKill(pid);
    await p.dispose();
    try {
      this.sb.opts.cgroups.release(p.cg);
    } catch {
      // v2: still busy for a moment; closing the driver removes it
    }
  }

  private mount(): void {
    const r = spawnSync('mount', [
      '-t',
      'tmpfs',
      '-o',
      // nr_inodes: empty files take no space, only inodes, and the host removes every one of
      // them (synchronously) after the run; as many as one-page files fit is plenty.
      `size=${this.sb.opts.boxBytes},nr_inodes=${tmpfsInodes(this.sb.opts.boxBytes)},mode=0711,uid=0,gid=0,nosuid,nodev`,
      'muscode-box',
      this.mountPath,
    ]);
    if (r.status !== 0) {
      throw new SystemError(ErrorCodes.sandboxUnavailable, `cannot mount the box tmpfs: ${r.stderr?.toString().trim()}`);
    }
  }

  private makeBox(): void {
    fs.mkdirSync(this.boxPath, { mode: 0o700 });
    fs.chownSync(this.boxPath, this.uid, this.uid);
    fs.chmodSync(this.boxPath, 0o700);
  }

  get busy(): boolean {
    return this.running !== null;
  }

  writeFiles(files: readonly BoxFile[]): void {
    this.dirty = true;
    writeBoxFiles(this.boxPath, files, this.uid);
  }

  snapshot(maxBytes: number): BoxFile[] {
    return snapshotBox(this.boxPath, maxBytes);
  }

  makeDirs(paths: readonly string[]): void {
    this.dirty = true;
    makeBoxDirs(this.boxPath, paths, this.uid);
  }

  readFile(rel: string, maxBytes: number): Buffer | null {
    return readBoxFile(this.boxPath, rel, maxBytes);
  }

  list(maxEntries: number): BoxEntry[] {
    return listBox(this.boxPath, maxEntries);
  }

  clear(): void {
    // Nothing wrote to the box or ran in it since it was made: it is as fresh as a new one, and
    // a sandbox prepared on it (warm) stays valid.
    if (!this.dirty && fs.existsSync(this.boxPath)) return;
    if (this.pending?.key !== undefined) {
      // Prepared on the box being replaced (its bind may hold the old directory): never used.
      const p = this.pending;
      this.pending = null;
      void this.discard(p);
    }
    this.dirty = false;
    try {
      clearBox(this.boxPath);
      fs.rmdirSync(this.boxPath);
    } catch {
      // A box the program made hard to empty (a tree deeper than PATH_MAX, which also overflows
      // rm's recursion): a fresh tmpfs. Between stages nothing of the slot runs, so it is not busy.
      this.unmount();
      fs.mkdirSync(this.mountPath, { mode: 0o711 });
      this.mount();
    }
    this.makeBox();
    this.scheduleRefill();
  }

  async kill(): Promise<void> {
    this.killCurrent?.();
    await this.running?.catch(() => undefined);
    if (this.idleTimer) clearTimeout(this.idleTimer);
    if (this.refillTimer) clearTimeout(this.refillTimer);
    this.refillTimer = null;
    const p = this.pending;
    this.pending = null;
    if (p) await this.discard(p);
    await Promise.all([...this.discarding]);
  }

  unmount(): void {
    unmountAndRemove(this.mountPath);
  }

  run(stage: SandboxStage): Promise<SandboxOutcome> {
    if (this.running) throw new Error(`slot ${this.id} is busy`);
    const p = this.runInner(stage).finally(() => {
      this.running = null;
      this.killCurrent = null;
      // After the caller has its outcome: the next stage's launcher joins the cgroups soon.
      this.scheduleRefill();
    });
    this.running = p;
    return p;
  }

  private async runInner(stage: SandboxStage): Promise<SandboxOutcome> {
    const { limits } = stage;
    const t0 = performance.now();
    const cgroups = this.sb.opts.cgroups;
    const fail = (message: string, extra: Partial<SandboxOutcome> = {}): SandboxOutcome => ({
      reason: 'exited',
      exitCode: null,
      signal: null,
      cpuMs: 0,
      wallMs: 0,
      memoryKb: 0,
      oomKilled: false,
      stdout: Buffer.alloc(0),
      stderr: Buffer.alloc(0),
      truncated: false,
      internalError: message,
      timings: { cgroupMs: 0, spawnToExitMs: 0, cleanupMs: 0 },
      ...extra,
    });
    // The launcher is already in the slot's cgroups, waiting (started after the previous stage,
    // or now if there is none): no cgroup move on the run path.
    // The argv first: it may stage a bind (a copy), which can fail before anything is acquired.
    let prepare: { args: string[]; key: string };
    try {
      const args = this.sb.prepareArgs(this.boxPath, this.tmpPath, this.uid, { ...stage, binds: this.sb.stageBinds(stage.binds) });
      prepare = { args, key: args.join('\0') };
    } catch (err) {
      return fail(`cannot prepare the sandbox: ${(err as Error).message}`);
    }
    this.dirty = true;
    // Interactive runs with a terminal (stage.input + stage.tty): the pty pair is opened here,
    // outside the sandbox (live-io.ts); its slave side is the launcher's fds 0-2, so such a stage
    // takes a launcher of its own instead of the one waiting with pipes.
    let term: Terminal | null = null;
    try {
      if (stage.input && stage.tty) term = openTerminal(stage.tty.cols, stage.tty.rows);
    } catch (err) {
      return fail(`cannot open a terminal: ${(err as Error).message}`);
    }
    let pending: PendingLauncher;
    try {
      pending = this.takePending(prepare.key, term?.slave);
    } catch (err) {
      term?.close();
      return fail(`cannot start the launcher: ${(err as Error).message}`);
    } finally {
      // The launcher has its own copies (or none, if spawning failed: reported below).
      term?.releaseSlave();
    }
    // Remembered for the next warm sandbox; a handful of distinct option sets per slot at most
    // (a language's compile and run, with the limits callers choose), bounded anyway. Not a
    // terminal stage's: a sandbox prepared ahead has pipes, never a terminal, as its stdio.
    if (!term) {
      this.remember(prepare);
      this.lastKey = prepare.key;
      this.last = prepare;
    }
    this.idle = false;
    const { cg, child } = pending;
    // A sandbox of this slot being taken down (a miss just now) may share the cgroup (v1): let
    // its launcher reap it and exit, rather than kill the launcher below as foreign, which would
    // leave its children to the host's init.
    if (this.discarding.size) await Promise.all([...this.discarding]);
    try {
      // Fail closed: if a limit cannot be applied, nothing runs.
      cg.prepare({ memoryBytes: limits.memoryBytes, processes: limits.processes });
      // Anything in the cgroup but the launcher and its sandbox (a prepared one: bubblewrap and
      // the init, waiting) is not ours: killed before anything runs.
      // The cgroup first, then the tree: a process forked in between (bubblewrap still setting
      // up) is in neither snapshot's difference.
      for (let round = 0; ; round++) {
        const inside = cg.pids();
        const ours = pending.tree();
        const foreign = inside.filter((p) => !ours.has(p));
        if (!foreign.length) break;
        if (round >= 500) throw new Error('processes survive in the cgroup');
        for (const p of foreign) safeKill(p);
        await new Promise((r) => setTimeout(r, round < 10 ? 1 : 10));
      }
    } catch (err) {
      term?.close();
      await this.discard(pending);
      return fail(`cannot apply cgroup limits: ${(err as Error).message}`);
    }
    const t1 = performance.now();

    const stdout: Buffer[] = [];
    const stderr: Buffer[] = [];
    let outBytes = 0;
    let truncated = false;
    let reason: EndReason = 'exited';
    let statusText = '';
    const tSpawn = performance.now();
    // A batch stage's stdin is a regular file (unlinked at once by the launcher, so nothing
    // else can open it), not libuv's socketpair: programs open /dev/stdin
    // (`readFileSync('/dev/stdin')` in JavaScript), which fails on a socket (ENXIO), and read its
    // size or seek as they would with `< input.txt`. Interactive stages keep their pipe (a
    // LiveInput kept open) or their terminal: no stdin file, the init keeps the launcher's fd 0.
    let stdinPath: string | undefined;
    try {
      if (!stage.io && !stage.input) stdinPath = this.sb.stdinPath(stage.stdin ?? Buffer.alloc(0));
      // A launcher prepared ahead (warm) has its sandbox set up or on the way; else now.
      if (pending.key === undefined) pending.prepare(prepare.args, seccompFilter(), prepare.key);
      pending.start(stdinPath, stage.env, stage.argv);
    } catch (err) {
      if (stdinPath) fs.rmSync(stdinPath, { force: true });
      term?.close();
      await this.discard(pending);
      return fail(`cannot start the stage: ${(err as Error).message}`);
    }
    // The stdin socket of a batch stage is unused: the init replaced its fd 0 by the file.
    if (!stage.io && !stage.input) child.stdin?.destroy();
    // Kill everything in the cgroup but the launcher: it reaps what we kill (so no zombie is
    // left to a host init that may not reap) and then exits by itself.
    const killTree = (why: EndReason) => {
      if (reason === 'exited') reason = why;
      for (const pid of safePids(cg)) {
        if (pid === child.pid) continue;
        try {
          process.kill(pid, 'SIGKILL');
        } catch {
          // gone
        }
      }
    };
    this.killCurrent = () => killTree('cancelled');

    // Live output goes out in batches (see OutputCoalescer); the outcome keeps every byte as is.
    const live = new OutputCoalescer([stage.onStdout, stage.onStderr], undefined, stage.input ? LIVE_OUTPUT_DELAY_MS : undefined);
    const capture = (into: Buffer[], stream: StreamIndex) => (chunk: Buffer) => {
      if (truncated) return;
      const room = limits.outputBytes - outBytes;
      if (chunk.length > room) {
        chunk = chunk.subarray(0, Math.max(0, room));
        truncated = true;
      }
      outBytes += chunk.length;
      if (chunk.length) {
        into.push(chunk);
        live.push(stream, chunk);
      }
      if (truncated) killTree('output');
    };
    if (stage.io) stage.io({ stdin: child.stdin!, stdout: child.stdout! });
    else (term?.master ?? child.stdout!).on('data', capture(stdout, 0));
    child.stderr?.on('data', capture(stderr, 1));
    if (stage.input) {
      const signalProgram = (name: string) => {
        for (const pid of programPids(safePids(cg), child.pid)) {
          try {
            process.kill(pid, name as NodeJS.Signals);
          } catch {
            // gone
          }
        }
      };
      attachLiveInput(stage.input, term?.master ?? child.stdin!, { terminal: term, kill: signalProgram });
    }
    let sandboxEnded!: () => void;
    const sandboxExit = new Promise<void>((resolve) => (sandboxEnded = resolve));
    const statusPipe = child.stdio[4] as NodeJS.ReadableStream;
    statusPipe.on('data', (c: Buffer) => {
      if (statusText.length < 4096) statusText += c.toString('utf8');
      if (/^sandbox-exit /m.test(statusText)) sandboxEnded();
    });
    child.stdin?.on('error', () => undefined); // EPIPE: an interactive program stopped reading

    const wallTimer = setTimeout(() => killTree('wall'), limits.wallMs);
    const cpuLimitNs = limits.cpuMs * 1e6;
    const cpuTimer = setInterval(() => {
      // Once the run is to end, keep killing: a kill that landed while the launcher was still
      // starting bubblewrap found nothing to kill but the launcher, and the program started
      // after it would otherwise run on to its limits (a cancel answered only after 10 s).
      if (reason !== 'exited') {
        killTree(reason);
        return;
      }
      try {
        if (cg.cpuNs() > cpuLimitNs) killTree('cpu');
      } catch {
        // cgroup read failed: the wall timer still bounds the run
      }
    }, this.sb.opts.cpuPollMs);
    const sampler = stage.timeline ? new TimelineSampler(cg, tSpawn) : null;
    const onAbort = () => killTree('cancelled');
    if (stage.signal?.aborted) onAbort();
    stage.signal?.addEventListener('abort', onAbort);

    const exited = pending.exited;
    await Promise.race([sandboxExit, exited]);
    const tExit = performance.now();
    clearTimeout(wallTimer);
    clearInterval(cpuTimer);
    const timeline = sampler?.stop();
    stage.signal?.removeEventListener('abort', onAbort);

    // Daemons and stragglers: nothing outlives its stage. Then the launcher, having reaped
    // them all, exits, and all pipes close.
    try {
      await cg.killAll(child.pid);
      const stuck = setTimeout(() => child.kill('SIGKILL'), 2000);
      await exited;
      clearTimeout(stuck);
      await cg.killAll();
    } catch (err) {
      cgroups.release(cg);
      stage.input?.close();
      term?.close();
      return fail(`cannot empty the cgroup: ${(err as Error).message}`);
    } finally {
      // Normally gone already (the launcher unlinks it first thing); not if it failed before.
      if (stdinPath) fs.rmSync(stdinPath, { force: true });
    }
    const exit = await exited;
    await new Promise<void>((resolve) => {
      if (term || (child.stdout!.readableEnded && child.stderr!.readableEnded)) return resolve();
      child.once('close', () => resolve());
      setTimeout(resolve, 2000).unref();
    });
    stage.input?.close();
    if (term) {
      await term.drained(2000);
      term.close();
    }
    live.flush();
    const usage = cg.usage();
    cgroups.release(cg);
    const tEnd = performance.now();

    const timings = { cgroupMs: t1 - t0, spawnToExitMs: tExit - tSpawn, cleanupMs: tEnd - tExit };
    const outcome: SandboxOutcome = {
      reason,
      exitCode: null,
      signal: null,
      cpuMs: Math.round(usage.cpuNs / 1e6),
      wallMs: Math.round(tExit - tSpawn),
      memoryKb: Math.round(usage.memoryPeakBytes / 1024),
      oomKilled: usage.oomKills > 0,
      stdout: Buffer.concat(stdout),
      stderr: Buffer.concat(stderr),
      truncated,
      timings,
      ...(timeline ? { timeline } : {}),
    };
    if (pending.spawnError) return { ...outcome, internalError: `spawn failed: ${pending.spawnError.message}` };
    if (reason === 'exited' && outcome.cpuMs > limits.cpuMs) outcome.reason = 'cpu';

    // Only host-side evidence decides: the status fd, which the program can neither write nor
    // reopen. Its stderr and anything it does to its processes never make a run "our fault".
    const status = parseStatus(statusText);
    if (status.launchError) return { ...outcome, internalError: status.launchError };
    if (!status.initReady) {
      if (reason === 'exited' && !outcome.oomKilled) {
        // bubblewrap ended without starting the init: its set-up failed, and no user code ran,
        // so everything on stderr is bubblewrap's own.
        const text = outcome.stderr.toString('utf8').trim().slice(0, 500);
        return { ...outcome, internalError: `sandbox setup failed (exit ${exit.code ?? exit.sig}): ${text}` };
      }
      outcome.signal = 'SIGKILL'; // killed by us (limit, cancel) before anything ran
      return outcome;
    }
    if (status.execError) return { ...outcome, internalError: `cannot execute ${stage.argv[0]}: ${status.execError}` };
    if (status.exit !== undefined) {
      outcome.exitCode = status.exit;
    } else if (status.signal !== undefined) {
      outcome.signal = SIGNAL_NAMES.get(status.signal) ?? `SIG${status.signal}`;
    } else {
      // The init started and never reported: it was killed (by us at a limit, by the OOM killer,
      // by anyone outside). The kernel then killed every process of the pid namespace, the
      // program included, with SIGKILL: that is the program's real end.
      outcome.signal = 'SIGKILL';
    }
    return outcome;
  }
}

function sbInstanceDir(sb: BwrapSandbox): string {
  return sb.instancePath;
}

function safeKill(pid: number): void {
  try {
    process.kill(pid, 'SIGKILL');
  } catch {
    // gone
  }
}

function safePids(cg: { pids(): number[] }): number[] {
  try {
    return cg.pids();
  } catch {
    return [];
  }
}

export type { Bind };
