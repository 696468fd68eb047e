import { randomBytes } from 'node:crypto';
import fs from 'node:fs';
import path from 'node:path';
import { spawnSync } from 'node:child_process';
import type { IPty } from '@lydell/node-pty';
import pty from '@lydell/node-pty';
import { CallerError, ErrorCodes, SystemError } from '../../errors.js';
import type { CgroupDriver, RunCgroup } from '../cgroups/cgroup.js';
import { createCgroupDriver } from '../cgroups/detect.js';
import { isMountPoint, sweepStaleInstances, unmountAndRemove } from '../host.js';
import { INIT_FD, baseRootArgs, tmpfsInodes } from './bwrap.js';
import { seccompFilter } from './seccomp.js';

/**
 * Long-lived sandboxes for workspaces (issue 11). A running workspace is:
 *   - a tmpfs of `diskBytes` on the host (the disk limit), holding the workspace's files in
 *     `<mount>/home`, bound read-write at /workspace (home and working directory);
 *   - a cgroup with the memory, pids and CPU bandwidth limits, which every terminal joins;
 *   - a uid of its own (uidBase + index), never 0, never a run slot's;
 *   - one bubblewrap sandbox per terminal, with the same contract as a run (user, pid, net, ipc,
 *     uts and cgroup namespaces, no network, the seccomp filter, read-only system, no
 *     capabilities, the native launcher as root-side step and as the sandbox's init) except for
 *     `--new-session`: the pty is created OUTSIDE the sandbox by node-pty and bash inside is in
 *     its session, so job control works, and TIOCSTI (denied by seccomp anyway) could only
 *     reach this terminal (research rooms-workspaces §4, setup A).
 * Stopping kills the whole cgroup (every terminal, every background process), unmounts the
 * tmpfs and removes the directories: the files live on in the database, which is the source of
 * truth, and the next start rebuilds the directory.
 */
export interface WorkspaceLimits {
  memoryBytes: number;
  cpuCores: number;
  processes: number;
  diskBytes: number;
  openFiles: number;
  tmpBytes: number;
}

export interface WorkspaceHostOptions {
  /** Host directory for workspace mounts (e.g. SANDBOX_RUN_DIR/ws). */
  runDir: string;
  /** Workspace n runs as uidBase + n. */
  uidBase: number;
  /** Running workspaces on this host at most. */
  capacity: number;
  launcherPath: string;
  bwrapPath: string;
  cgroupVersion: 'auto' | '1' | '2';
  cgroupV2Root: string;
  limits: WorkspaceLimits;
}

export interface TerminalSpawn {
  cols: number;
  rows: number;
  /** What runs inside (default: an interactive login bash). */
  argv?: string[];
}

/** Paths of /etc a shell and the common tools read, bound read-only when the host has them. */
const ETC_FILES = [
  '/etc/bash.bashrc',
  '/etc/profile',
  '/etc/inputrc',
  '/etc/terminfo',
  '/etc/vim',
  '/etc/nanorc',
  '/etc/gitconfig',
  '/etc/matplotlibrc',
  '/etc/python3',
  '/etc/mime.types',
];

export const WORKSPACE_PATH = '/workspace';
const PATH_ENV = '/usr/local/bin:/usr/bin:/bin';

export class WorkspaceHost {
  private readonly instanceDir: string;
  private readonly cgroups: CgroupDriver;
  private readonly seccompFile: string;
  private readonly rootArgs = baseRootArgs();
  private readonly etcArgs: string[] = [];
  private readonly boxes = new Map<string, WorkspaceBox>();
  private readonly freeIndexes: number[] = [];
  private closed = false;

  constructor(readonly opts: WorkspaceHostOptions) {
    if (process.getuid?.() !== 0) throw new SystemError(ErrorCodes.sandboxUnavailable, 'workspaces need the API process to run as root (mounts, cgroups, uids); under the supervisor (muscode serve) they are not available yet, see docs/workspaces.md');
    for (const bin of [opts.bwrapPath, opts.launcherPath]) {
      if (!fs.existsSync(bin)) throw new SystemError(ErrorCodes.sandboxUnavailable, `${bin} not found (run make)`);
    }
    sweepStaleInstances(opts.runDir);
    fs.mkdirSync(opts.runDir, { recursive: true, mode: 0o711 });
    this.instanceDir = path.join(opts.runDir, `${process.pid}-${randomBytes(4).toString('hex')}`);
    fs.mkdirSync(this.instanceDir, { mode: 0o711 });
    this.seccompFile = path.join(this.instanceDir, 'seccomp.bpf');
    try {
      this.cgroups = this.setUp();
    } catch (err) {
      fs.rmSync(this.instanceDir, { recursive: true, force: true });
      throw err;
    }
    for (let i = opts.capacity - 1; i >= 0; i--) this.freeIndexes.push(i);
  }

  private setUp(): CgroupDriver {
    const opts = this.opts;
    // The seccomp program as a root-only file: the terminal's wrapper opens it on fd 3 (node-pty
    // cannot pass extra descriptors), bubblewrap reads it from there.
    fs.writeFileSync(this.seccompFile, seccompFilter(), { mode: 0o600 });
    for (const f of ETC_FILES) if (fs.existsSync(f)) this.etcArgs.push('--ro-bind', f, f);
    return createCgroupDriver({
      version: opts.cgroupVersion,
      v2Root: opts.cgroupV2Root,
      prefix: `muscode-ws/${path.basename(this.instanceDir)}`,
      cpuBandwidth: true,
    });
  }

  get running(): number {
    return this.boxes.size;
  }

  get(key: string): WorkspaceBox | undefined {
    return this.boxes.get(key);
  }

  /** Sets a workspace's environment up (mount, cgroup, uid): no process runs until a terminal opens. */
  start(key: string): WorkspaceBox {
    if (this.closed) throw new SystemError(ErrorCodes.engineClosed, 'the workspace host is shutting down');
    if (!/^[A-Za-z0-9-]{1,64}$/.test(key)) throw new Error(`bad workspace key ${key}`);
    const existing = this.boxes.get(key);
    if (existing) return existing;
    const index = this.freeIndexes.pop();
    if (index === undefined) {
      throw new CallerError(ErrorCodes.workspaceHostFull, `this host runs ${this.opts.capacity} workspaces, its limit: stop one or try again later`, {
        max: this.opts.capacity,
      });
    }
    try {
      const box = new WorkspaceBox(this, key, index, this.cgroups.acquire(10_000 + index));
      this.boxes.set(key, box);
      return box;
    } catch (err) {
      this.freeIndexes.push(index);
      throw err;
    }
  }

  /** Called by a box once it has stopped. */
  released(box: WorkspaceBox): void {
    if (this.boxes.get(box.key) === box) this.boxes.delete(box.key);
    this.freeIndexes.push(box.index);
  }

  get instancePath(): string {
    return this.instanceDir;
  }

  /** bubblewrap's argv for a terminal of `box` (every value its own argv entry, never a shell). */
  bwrapArgs(box: WorkspaceBox, tmpPath: string, argv: readonly string[]): string[] {
    const a = [
      '--as-pid-1',
      '--unshare-user',
      '--unshare-ipc',
      '--unshare-pid',
      '--unshare-net',
      '--unshare-uts',
      '--unshare-cgroup',
      '--disable-userns',
      '--die-with-parent',
      // No --new-session: the pty is this session's own (see the class comment).
      '--cap-drop',
      'ALL',
      '--hostname',
      'workspace',
      ...this.rootArgs,
      ...this.etcArgs,
      '--ro-bind',
      box.passwdFile,
      '/etc/passwd',
      '--ro-bind',
      box.groupFile,
      '/etc/group',
      '--proc',
      '/proc',
      '--dev',
      '/dev',
      '--bind',
      tmpPath,
      '/tmp',
      '--bind',
      box.dir,
      WORKSPACE_PATH,
      '--chdir',
      WORKSPACE_PATH,
      '--remount-ro',
      '/',
      '--clearenv',
    ];
    const env: Record<string, string> = {
      HOME: WORKSPACE_PATH,
      PATH: PATH_ENV,
      USER: 'user',
      LOGNAME: 'user',
      SHELL: '/bin/bash',
      TERM: 'xterm-256color',
      COLORTERM: 'truecolor',
      LANG: 'C.UTF-8',
      MPLBACKEND: 'Agg',
      PYTHONDONTWRITEBYTECODE: '1',
    };
    for (const [k, v] of Object.entries(env)) a.push('--setenv', k, v);
    a.push('--seccomp', '3', '--', `/proc/self/fd/${INIT_FD}`, 'init', '--status-fd', '4', '--', ...argv);
    return a;
  }

  launcherArgs(box: WorkspaceBox, tmpPath: string): string[] {
    const l = this.opts.limits;
    return [
      'launch',
      '--status-fd',
      '4',
      '--uid',
      String(box.uid),
      '--gid',
      String(box.uid),
      ...box.cgroup.procsFiles.flatMap((f) => ['--cgroup', f]),
      '--rlimit',
      `fsize=${l.diskBytes}:${l.diskBytes}`,
      '--rlimit',
      `nofile=${l.openFiles}:${l.openFiles}`,
      '--rlimit',
      'core=0:0',
      '--tmp-mount',
      tmpPath,
      '--tmp-bytes',
      String(l.tmpBytes),
      '--tmp-inodes',
      String(tmpfsInodes(l.tmpBytes)),
      '--init-fd',
      String(INIT_FD),
      '--keep-fd',
      '3',
    ];
  }

  get seccompPath(): string {
    return this.seccompFile;
  }

  /** What is left of stopped workspaces: should be nothing but the running ones'. */
  leftovers(): { boxes: number; pids: number[]; mounts: string[] } {
    const mounts = fs
      .readFileSync('/proc/self/mountinfo', 'utf8')
      .split('\n')
      .map((l) => l.split(' ')[4] ?? '')
      .filter((m) => m.startsWith(`${this.instanceDir}/`));
    return { boxes: this.boxes.size, pids: this.cgroups.leftoverPids(), mounts };
  }

  async close(): Promise<void> {
    if (this.closed) return;
    this.closed = true;
    for (const box of [...this.boxes.values()]) await box.stop();
    await this.cgroups.close();
    fs.rmSync(this.instanceDir, { recursive: true, force: true });
  }
}

export class WorkspaceBox {
  readonly uid: number;
  /** The tmpfs mount point (root-owned, 0711): the program cannot replace `dir` inside it. */
  private readonly mountPath: string;
  /** Host path of /workspace. */
  readonly dir: string;
  /** Device of the workspace's tmpfs: whatever the sync opens must be on it (symlink defence). */
  readonly dev: number;
  readonly passwdFile: string;
  readonly groupFile: string;
  private readonly terminals = new Set<IPty>();
  private seq = 0;
  private stopping: Promise<void> | null = null;

  constructor(
    private readonly host: WorkspaceHost,
    readonly key: string,
    readonly index: number,
    readonly cgroup: RunCgroup,
  ) {
    const o = host.opts;
    this.uid = o.uidBase + index;
    this.mountPath = path.join(host.instancePath, key);
    this.dir = path.join(this.mountPath, 'home');
    this.passwdFile = path.join(host.instancePath, `${key}.passwd`);
    this.groupFile = path.join(host.instancePath, `${key}.group`);
    fs.mkdirSync(this.mountPath, { mode: 0o711 });
    try {
      const r = spawnSync('mount', [
        '-t',
        'tmpfs',
        '-o',
        `size=${o.limits.diskBytes},nr_inodes=${tmpfsInodes(o.limits.diskBytes)},mode=0711,uid=0,gid=0,nosuid,nodev`,
        'muscode-ws',
        this.mountPath,
      ]);
      if (r.status !== 0) throw new SystemError(ErrorCodes.sandboxUnavailable, `cannot mount the workspace tmpfs: ${r.stderr?.toString().trim()}`);
      fs.mkdirSync(this.dir, { mode: 0o755 });
      fs.chownSync(this.dir, this.uid, this.uid);
      this.dev = fs.statSync(this.dir).dev;
      fs.writeFileSync(this.passwdFile, `root:x:0:0:root:/root:/bin/bash\nuser:x:${this.uid}:${this.uid}:user:${WORKSPACE_PATH}:/bin/bash\nnobody:x:65534:65534:nobody:/nonexistent:/usr/sbin/nologin\n`, { mode: 0o644 });
      fs.writeFileSync(this.groupFile, `root:x:0:\nuser:x:${this.uid}:\nnogroup:x:65534:\n`, { mode: 0o644 });
      this.cgroup.prepare({ memoryBytes: o.limits.memoryBytes, processes: o.limits.processes, cpuCores: o.limits.cpuCores });
    } catch (err) {
      this.cleanupHost();
      throw err;
    }
  }

  get terminalCount(): number {
    return this.terminals.size;
  }

  get stopped(): boolean {
    return this.stopping !== null;
  }

  /**
   * A terminal: node-pty spawns (as root) a tiny /bin/sh that opens the seccomp program on fd 3
   * and a status file on fd 4, then execs the launcher, which joins the cgroup, drops to the
   * workspace uid and execs bubblewrap; bash is the init's child, in the pty's session. Every
   * argument is a separate argv entry: the script text is constant, the values are positional.
   */
  spawnTerminal(opts: TerminalSpawn): IPty {
    if (this.stopping) throw new CallerError(ErrorCodes.workspaceNotRunning, 'the workspace is stopping');
    const n = ++this.seq;
    const tmpPath = path.join(this.host.instancePath, `${this.key}-tmp-${n}`);
    fs.mkdirSync(tmpPath, { mode: 0o700 });
    const argv = opts.argv ?? ['/bin/bash', '-l'];
    const script = 'exec 3<"$1" 4>/dev/null || exit 125; shift 1; exec "$@"';
    const args = [
      '-c',
      script,
      'muscode-ws',
      this.host.seccompPath,
      this.host.opts.launcherPath,
      ...this.host.launcherArgs(this, tmpPath),
      '--',
      this.host.opts.bwrapPath,
      ...this.host.bwrapArgs(this, tmpPath, argv),
    ];
    const term = pty.spawn('/bin/sh', args, {
      name: 'xterm-256color',
      cols: clampSize(opts.cols, 80, 500),
      rows: clampSize(opts.rows, 24, 200),
      cwd: '/',
      env: { PATH: PATH_ENV },
    });
    this.terminals.add(term);
    term.onExit(() => {
      this.terminals.delete(term);
      fs.rmSync(tmpPath, { recursive: true, force: true });
    });
    return term;
  }

  pids(): number[] {
    try {
      return this.cgroup.pids();
    } catch {
      return [];
    }
  }

  memoryBytes(): number {
    try {
      return this.cgroup.memoryBytes();
    } catch {
      return 0;
    }
  }

  /** Kills every process of the workspace (the cgroup) and leaves the directory mounted (for a last sync). */
  async killAll(): Promise<void> {
    await this.cgroup.killAll();
  }

  /** Kills every process of the workspace (the cgroup), closes the ptys, unmounts, frees the uid. */
  stop(): Promise<void> {
    this.stopping ??= this.stopInner();
    return this.stopping;
  }

  private async stopInner(): Promise<void> {
    try {
      await this.cgroup.killAll();
    } finally {
      // The pty children are dead (or were never in the cgroup, if the launcher failed early):
      // destroy() closes the master fd as well, which kill() alone leaves open.
      for (const t of [...this.terminals]) {
        try {
          t.kill('SIGKILL');
        } catch {
          // gone
        }
      }
      await waitFor(() => this.terminals.size === 0, 2000);
      this.cleanupHost();
      this.host.released(this);
    }
  }

  private cleanupHost(): void {
    if (isMountPoint(this.mountPath)) unmountAndRemove(this.mountPath);
    fs.rmSync(this.mountPath, { recursive: true, force: true });
    for (const f of [this.passwdFile, this.groupFile]) fs.rmSync(f, { force: true });
    for (const n of fs.readdirSync(this.host.instancePath)) {
      if (n.startsWith(`${this.key}-tmp-`)) fs.rmSync(path.join(this.host.instancePath, n), { recursive: true, force: true });
    }
  }
}

/** Terminal sizes from a client: whole numbers in [1, max], else the default. */
export function clampSize(v: number, fallback: number, max: number): number {
  if (!Number.isFinite(v) || v < 1) return fallback;
  return Math.min(max, Math.floor(v));
}

async function waitFor(cond: () => boolean, ms: number): Promise<void> {
  const end = Date.now() + ms;
  while (!cond() && Date.now() < end) await new Promise((r) => setTimeout(r, 10));
}
