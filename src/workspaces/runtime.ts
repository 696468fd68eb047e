import type { IPty } from '@lydell/node-pty';
import type { Config } from '../config/config.js';
import { WorkspaceHost, type WorkspaceHostOptions } from '../engine/sandbox/workspace-box.js';
import { removeWorkspacePath } from './dir-io.js';
import type { DbFile, Rejected } from './project-files.js';
import { type SyncSink, WorkspaceSync } from './sync.js';

/**
 * The part of a running workspace that needs root: the environment (tmpfs, cgroup, uid, the
 * terminals' ptys and sandboxes) and the directory side of the sync (it reads and writes a
 * directory owned by hostile processes, guarded against links, src/workspaces/dir-io.ts).
 * WorkspaceService (the database, access, sessions, idle policy) drives it through this
 * interface, either in the same process (`LocalWorkspaceRuntime`, the API process is root) or
 * across the supervisor's IPC channel (`muscode serve`: src/supervisor/remote-workspaces.ts on
 * the service side, src/supervisor/workspace-channel.ts on the root side).
 */
export type TerminalPty = Pick<IPty, 'pid' | 'cols' | 'rows' | 'onData' | 'onExit' | 'write' | 'resize' | 'pause' | 'resume' | 'kill'>;

export interface EnvStatus {
  memoryBytes: number;
  rejected: Rejected[];
  skipped: { rel: string; reason: string }[];
}

/** One running workspace. */
export interface WorkspaceEnv {
  spawnTerminal(size: { cols: number; rows: number }): Promise<TerminalPty>;
  /** The editor saved a file (already in the database): into the directory, not echoed back. */
  wrote(rel: string, bytes: Buffer): Promise<void>;
  /** A file or directory deleted through the API (already gone from the database). */
  remove(rel: string): Promise<void>;
  syncNow(): Promise<void>;
  /** Every process killed (cgroup), a last sync, then the ptys closed and the directory unmounted. */
  stop(): Promise<void>;
  status(): Promise<EnvStatus>;
}

export interface WorkspaceRuntime {
  /** Starts the environment of workspace `key` with the database's files; `sink` receives the directory's changes. */
  start(key: string, files: readonly DbFile[], sink: SyncSink): Promise<WorkspaceEnv>;
  leftovers(): { boxes: number; pids: number[]; mounts: string[] };
  close(): Promise<void>;
}

export function workspaceHostOptions(c: Config): WorkspaceHostOptions {
  return {
    runDir: `${c.SANDBOX_RUN_DIR}/ws`,
    uidBase: c.WORKSPACE_UID_BASE || c.SANDBOX_UID_BASE + 256,
    capacity: c.WORKSPACE_HOST_MAX,
    launcherPath: c.SANDBOX_LAUNCHER,
    bwrapPath: c.SANDBOX_BWRAP,
    cgroupVersion: c.CGROUP_VERSION,
    cgroupV2Root: c.CGROUP_V2_ROOT,
    limits: {
      memoryBytes: c.WORKSPACE_MEMORY_MB * 2 ** 20,
      cpuCores: c.WORKSPACE_CPU_CORES,
      processes: c.WORKSPACE_PROCESSES,
      diskBytes: c.WORKSPACE_DISK_MB * 2 ** 20,
      openFiles: 1024,
      tmpBytes: c.WORKSPACE_TMP_MB * 2 ** 20,
    },
  };
}

/** The runtime in this (root) process. */
export class LocalWorkspaceRuntime implements WorkspaceRuntime {
  /** Created on the first start, so that a server that never runs a workspace creates no mount or cgroup. */
  private host: WorkspaceHost | null = null;

  constructor(private readonly config: Config) {}

  async start(key: string, files: readonly DbFile[], sink: SyncSink): Promise<WorkspaceEnv> {
    this.host ??= new WorkspaceHost(workspaceHostOptions(this.config));
    const box = this.host.start(key);
    const sync = new WorkspaceSync(box, sink, { intervalMs: this.config.WORKSPACE_SYNC_INTERVAL_MS, maxFileBytes: this.config.limits.fileBytes.default });
    try {
      sync.materialize(files);
    } catch (err) {
      sync.close();
      await box.stop().catch(() => undefined);
      throw err;
    }
    return {
      spawnTerminal: async (size) => box.spawnTerminal(size),
      wrote: async (rel, bytes) => sync.wrote(rel, bytes),
      remove: async (rel) => {
        sync.forget(rel);
        removeWorkspacePath(box, rel);
      },
      syncNow: () => sync.syncNow(),
      stop: async () => {
        // Processes first, so that nothing writes after the last sync; then the sync; then the rest.
        await box.killAll().catch(() => undefined);
        await sync.stop().catch(() => undefined);
        await box.stop();
      },
      status: async () => ({ memoryBytes: box.memoryBytes(), rejected: sync.lastRejected, skipped: sync.lastSkipped }),
    };
  }

  leftovers() {
    return this.host?.leftovers() ?? { boxes: 0, pids: [], mounts: [] };
  }

  async close(): Promise<void> {
    await this.host?.close();
  }
}
