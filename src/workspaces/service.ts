import { randomBytes } from 'node:crypto';
import { and, desc, eq, inArray, isNull, or, sql } from 'drizzle-orm';
import type { Config } from '../config/config.js';
import type { Db } from '../db/client.js';
import { files, projects, users, workspaceCollaborators, workspaces } from '../db/schema.js';
import type { LanguageRegistry } from '../engine/languages/registry.js';
import { WorkspaceHost, type WorkspaceBox } from '../engine/sandbox/workspace-box.js';
import { CallerError, ErrorCodes, SystemError } from '../errors.js';
import { ownedProject } from '../projects/access.js';
import { fileLocation } from '../projects/paths.js';
import type { ProjectService } from '../projects/service.js';
import { starterFile } from '../projects/starters.js';
import type { AuthUser } from '../server/context.js';
import { HttpCodes } from '../server/http-errors.js';
import { removeWorkspacePath } from './dir-io.js';
import { applyChanges, loadProjectFiles } from './project-files.js';
import { decodeContent, encodeContent } from './scan.js';
import { REGISTRY_TTL_MS, type Placement, type WorkspaceRegistry } from './registry.js';
import { WorkspaceSync } from './sync.js';
import { TerminalSession } from './terminal-session.js';

export type WorkspaceStatus = 'stopped' | 'starting' | 'running' | 'stopping';
export type Role = 'owner' | 'write' | 'read';

export interface WorkspaceJson {
  id: string;
  projectId: string;
  name: string;
  language: string;
  ownerId: string;
  role: Role;
  status: WorkspaceStatus;
  terminals: string[];
  createdAt: string;
  lastActiveAt: string;
}

interface Running {
  id: string;
  ownerId: string;
  projectId: string;
  status: WorkspaceStatus;
  box: WorkspaceBox | null;
  sync: WorkspaceSync | null;
  terminals: Map<string, TerminalSession>;
  lastActivity: number;
  /** When the last socket closed (0 while one is open). */
  sockets: number;
  ready: Promise<void>;
}

type Row = typeof workspaces.$inferSelect;

/**
 * Workspaces (issue 11): a project opened as a persistent environment on this server. The
 * database holds which workspaces exist and who may use them; this service holds which run
 * (the environment, its terminals and its sync) and applies the idle policy.
 */
export class WorkspaceService {
  /** Created on the first start, so that a server that never runs a workspace creates no mount or cgroup. */
  private hostInstance: WorkspaceHost | null = null;
  private readonly running = new Map<string, Running>();
  private readonly idleTimer: NodeJS.Timeout;
  private readonly renewTimer: NodeJS.Timeout | null = null;
  /** This replica in the registry (cluster mode); its URL is known once the server listens. */
  readonly me: Placement;

  constructor(
    private readonly deps: { db: Db; config: Config; languages: LanguageRegistry; projects: ProjectService; registry?: WorkspaceRegistry; instanceId?: string },
  ) {
    this.me = { instanceId: deps.instanceId ?? 'local', url: '' };
    if (deps.registry) {
      const registry = deps.registry;
      this.renewTimer = setInterval(() => void registry.renew([...this.running.keys()], this.me).catch(() => undefined), REGISTRY_TTL_MS / 3);
      this.renewTimer.unref();
    }
    this.idleTimer = setInterval(() => void this.reapIdle(), 5000);
    this.idleTimer.unref();
  }

  private host(): WorkspaceHost {
    if (this.hostInstance) return this.hostInstance;
    const c = this.deps.config;
    if (!c.WORKSPACES_ENABLED) throw new SystemError(ErrorCodes.sandboxUnavailable, 'workspaces are turned off on this server (WORKSPACES_ENABLED=false)');
    this.hostInstance = new WorkspaceHost({
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
    });
    return this.hostInstance;
  }

  /** The other replica running this workspace (cluster mode), or null when it is here or nowhere. */
  async remoteOwner(id: string): Promise<Placement | null> {
    if (!this.deps.registry || this.running.has(id)) return null;
    const p = await this.deps.registry.lookup(id).catch(() => null);
    return p && p.instanceId !== this.me.instanceId && p.url ? p : null;
  }

  // ---- access ----

  /** The workspace and the caller's role; 404 to anyone without one (its existence does not leak). */
  async access(id: string, user: AuthUser): Promise<{ row: Row; role: Role }> {
    const [found] = await this.deps.db
      .select({ w: workspaces })
      .from(workspaces)
      .innerJoin(projects, eq(projects.id, workspaces.projectId))
      .where(and(eq(workspaces.id, id), isNull(projects.deletedAt)));
    // A project in the bin takes its workspace with it (restored, it comes back).
    const row = found?.w;
    if (row?.userId === user.id) return { row, role: 'owner' };
    if (row) {
      const [c] = await this.deps.db
        .select()
        .from(workspaceCollaborators)
        .where(and(eq(workspaceCollaborators.workspaceId, id), eq(workspaceCollaborators.userId, user.id)));
      if (c) return { row, role: c.role === 'write' ? 'write' : 'read' };
    }
    throw new CallerError(ErrorCodes.workspaceNotFound, 'workspace not found');
  }

  private async writable(id: string, user: AuthUser): Promise<Row> {
    const { row, role } = await this.access(id, user);
    if (role === 'read') throw new CallerError(HttpCodes.forbidden, 'read-only collaborators cannot change this workspace');
    return row;
  }

  // ---- the list and the rows ----

  async list(user: AuthUser): Promise<WorkspaceJson[]> {
    const shared = this.deps.db.select({ id: workspaceCollaborators.workspaceId }).from(workspaceCollaborators).where(eq(workspaceCollaborators.userId, user.id));
    const rows = await this.deps.db
      .select({ w: workspaces, p: projects, role: workspaceCollaborators.role })
      .from(workspaces)
      .innerJoin(projects, eq(projects.id, workspaces.projectId))
      .leftJoin(workspaceCollaborators, and(eq(workspaceCollaborators.workspaceId, workspaces.id), eq(workspaceCollaborators.userId, user.id)))
      .where(and(or(eq(workspaces.userId, user.id), inArray(workspaces.id, shared)), isNull(projects.deletedAt)))
      .orderBy(desc(workspaces.lastActiveAt));
    const out = rows.map((r) => this.present(r.w, r.p, r.w.userId === user.id ? 'owner' : r.role === 'write' ? 'write' : 'read'));
    for (const w of out) if (w.status === 'stopped' && (await this.remoteOwner(w.id))) w.status = 'running';
    return out;
  }

  async get(id: string, user: AuthUser): Promise<WorkspaceJson> {
    const { row, role } = await this.access(id, user);
    const [p] = await this.deps.db.select().from(projects).where(eq(projects.id, row.projectId));
    const out = this.present(row, p!, role);
    if (out.status === 'stopped' && (await this.remoteOwner(id))) out.status = 'running';
    return out;
  }

  private present(w: Row, p: typeof projects.$inferSelect, role: Role): WorkspaceJson {
    const r = this.running.get(w.id);
    return {
      id: w.id,
      projectId: w.projectId,
      name: p.name,
      language: p.language,
      ownerId: w.userId,
      role,
      status: r?.status ?? 'stopped',
      terminals: r ? [...r.terminals.keys()] : [],
      createdAt: w.createdAt.toISOString(),
      lastActiveAt: w.lastActiveAt.toISOString(),
    };
  }

  /** Opens a project as a workspace (the one it has, if any), or creates an empty project from a language. */
  async create(user: AuthUser, input: { projectId?: string; language?: string; name?: string }): Promise<WorkspaceJson> {
    let projectId = input.projectId;
    if (projectId) {
      await ownedProject(this.deps.db, projectId, user);
    } else {
      if (!input.language) throw new CallerError(HttpCodes.validation, 'give a projectId, or a language for a new empty workspace');
      const p = await this.deps.projects.create(user, { name: input.name ?? `Workspace (${input.language})`, language: input.language, visibility: 'private' });
      projectId = p.id;
    }
    await this.deps.db.insert(workspaces).values({ projectId, userId: user.id }).onConflictDoNothing();
    const [row] = await this.deps.db.select().from(workspaces).where(eq(workspaces.projectId, projectId));
    if (row!.userId !== user.id) throw new CallerError(ErrorCodes.workspaceNotFound, 'workspace not found');
    return this.get(row!.id, user);
  }

  /** Seed 004: the language's starter main file, if the workspace has no file at all. */
  async ensureDefault(id: string, user: AuthUser): Promise<{ created: boolean }> {
    const row = await this.writable(id, user);
    const [p] = await this.deps.db.select().from(projects).where(eq(projects.id, row.projectId));
    const [{ n }] = (await this.deps.db.select({ n: sql<number>`count(*)`.mapWith(Number) }).from(files).where(eq(files.projectId, row.projectId))) as [{ n: number }];
    if (n > 0) return { created: false };
    const lang = this.deps.languages.get(p!.language);
    const starter = starterFile(lang);
    await this.writeFile(id, user, starter.name, Buffer.from(starter.content));
    return { created: true };
  }

  async setCollaborator(id: string, owner: AuthUser, username: string, role: 'read' | 'write' | null): Promise<void> {
    const { role: mine } = await this.access(id, owner);
    if (mine !== 'owner') throw new CallerError(HttpCodes.forbidden, 'only the owner may invite collaborators');
    const [u] = await this.deps.db.select({ id: users.id }).from(users).where(sql`lower(${users.username}) = lower(${username})`);
    if (!u) throw new CallerError(HttpCodes.notFound, 'user not found');
    if (u.id === owner.id) throw new CallerError(HttpCodes.validation, 'the owner is not a collaborator');
    if (role === null) {
      await this.deps.db.delete(workspaceCollaborators).where(and(eq(workspaceCollaborators.workspaceId, id), eq(workspaceCollaborators.userId, u.id)));
      return;
    }
    await this.deps.db
      .insert(workspaceCollaborators)
      .values({ workspaceId: id, userId: u.id, role })
      .onConflictDoUpdate({ target: [workspaceCollaborators.workspaceId, workspaceCollaborators.userId], set: { role } });
  }

  // ---- files (the database is the source of truth) ----

  async listFiles(id: string, user: AuthUser) {
    const { row } = await this.access(id, user);
    await this.running.get(id)?.sync?.syncNow().catch(() => undefined);
    const all = await loadProjectFiles(this.deps.db, row.projectId);
    return all.map((f) => ({ path: f.rel, size: f.size, encoding: f.encoding, isMain: f.isMain })).sort((a, b) => a.path.localeCompare(b.path));
  }

  async readFile(id: string, user: AuthUser, rel: string): Promise<{ path: string; content: string; encoding: string; size: number }> {
    const { row } = await this.access(id, user);
    await this.running.get(id)?.sync?.syncNow().catch(() => undefined);
    const f = (await loadProjectFiles(this.deps.db, row.projectId)).find((x) => x.rel === rel);
    if (!f) throw new CallerError(HttpCodes.notFound, 'file not found');
    return { path: f.rel, content: f.content, encoding: f.encoding, size: f.size };
  }

  async writeFile(id: string, user: AuthUser, rel: string, bytes: Buffer): Promise<{ path: string; size: number }> {
    const row = await this.writable(id, user);
    const { dir, name } = splitRel(rel);
    const loc = fileLocation(dir, name);
    const enc = encodeContent(bytes);
    const res = await applyChanges(this.deps, row.projectId, [{ path: loc.path, name: loc.name, ...enc, size: bytes.length }], []);
    const bad = res.rejected[0];
    if (bad) throw new CallerError(bad.code === ErrorCodes.workspaceOverQuota ? ErrorCodes.workspaceOverQuota : bad.code, bad.message, { path: bad.rel });
    this.touch(id);
    const r = this.running.get(id);
    if (r?.status === 'running' && r.sync) r.sync.wrote(loc.enginePath, bytes);
    return { path: loc.enginePath, size: bytes.length };
  }

  async deleteFile(id: string, user: AuthUser, rel: string): Promise<void> {
    const row = await this.writable(id, user);
    const res = await applyChanges(this.deps, row.projectId, [], [rel]);
    const bad = res.rejected[0];
    if (bad) throw new CallerError(bad.code, bad.message, { path: bad.rel });
    if (!res.deleted.length) throw new CallerError(HttpCodes.notFound, 'file not found');
    this.touch(id);
    const r = this.running.get(id);
    if (r?.status === 'running' && r.box && r.sync) {
      r.sync.forget(rel);
      removeWorkspacePath(r.box, rel);
    }
  }

  // ---- running ----

  status(id: string): { status: WorkspaceStatus; terminals: string[]; syncErrors: { rel: string; code: string; message: string }[]; skipped: { rel: string; reason: string }[]; memoryBytes: number; sockets: number } {
    const r = this.running.get(id);
    return {
      status: r?.status ?? 'stopped',
      sockets: r?.sockets ?? 0,
      terminals: r ? [...r.terminals.keys()] : [],
      syncErrors: r?.sync?.lastRejected ?? [],
      skipped: r?.sync?.lastSkipped ?? [],
      memoryBytes: r?.box?.memoryBytes() ?? 0,
    };
  }

  async start(id: string, user: AuthUser): Promise<WorkspaceJson> {
    const row = await this.writable(id, user);
    const existing = this.running.get(id);
    if (existing) {
      await existing.ready;
      return this.get(id, user);
    }
    const host = this.host();
    const mine = [...this.running.values()].filter((r) => r.ownerId === row.userId).length;
    if (mine >= this.deps.config.WORKSPACE_USER_MAX) {
      throw new CallerError(ErrorCodes.workspaceUserLimit, `you already run ${mine} workspaces, the limit: stop one first`, { max: this.deps.config.WORKSPACE_USER_MAX });
    }
    if (this.deps.registry && !(await this.deps.registry.claim(id, this.me))) {
      throw new CallerError(HttpCodes.conflict, 'the workspace is running on another server: try again', { retryable: true });
    }
    const r: Running = { id, ownerId: row.userId, projectId: row.projectId, status: 'starting', box: null, sync: null, terminals: new Map(), lastActivity: Date.now(), sockets: 0, ready: Promise.resolve() };
    this.running.set(id, r);
    r.ready = (async () => {
      try {
        r.box = host.start(id);
        const box = r.box;
        r.sync = new WorkspaceSync(
          box,
          {
            apply: (up, del) => applyChanges(this.deps, row.projectId, up, del),
            onChange: (e) => {
              this.touch(id);
              for (const t of r.terminals.values()) t.broadcast({ type: 'files', written: e.written, deleted: e.deleted, rejected: e.rejected });
            },
          },
          { intervalMs: this.deps.config.WORKSPACE_SYNC_INTERVAL_MS, maxFileBytes: this.deps.config.limits.fileBytes.default },
        );
        r.sync.materialize(await loadProjectFiles(this.deps.db, row.projectId));
        r.status = 'running';
      } catch (err) {
        this.running.delete(id);
        void this.deps.registry?.release(id, this.me).catch(() => undefined);
        r.sync?.close();
        await r.box?.stop().catch(() => undefined);
        throw err;
      }
    })();
    await r.ready;
    this.touch(id);
    return this.get(id, user);
  }

  async stop(id: string, user: AuthUser): Promise<WorkspaceJson> {
    await this.writable(id, user);
    await this.stopNow(id);
    return this.get(id, user);
  }

  /** Last sync, then every process of the workspace killed (cgroup), ptys closed, directory unmounted. */
  private async stopNow(id: string): Promise<void> {
    const r = this.running.get(id);
    if (!r) return;
    await r.ready.catch(() => undefined);
    if (r.status === 'stopping') return;
    r.status = 'stopping';
    try {
      // Processes first, so that nothing writes after the last sync; then the sync; then the rest.
      await r.box?.killAll().catch(() => undefined);
      await r.sync?.stop().catch(() => undefined);
      for (const t of r.terminals.values()) t.kill();
      await r.box?.stop();
    } finally {
      this.running.delete(id);
      await this.deps.registry?.release(id, this.me).catch(() => undefined);
    }
  }

  /** A terminal of a running workspace: `tid` to reattach, none for a new one (write access). */
  async terminal(id: string, user: AuthUser, tid: string | null, size: { cols: number; rows: number }): Promise<{ session: TerminalSession; readOnly: boolean; release: () => void }> {
    const { role } = await this.access(id, user);
    const r = this.running.get(id);
    await r?.ready.catch(() => undefined);
    if (!r || r.status !== 'running' || !r.box) throw new CallerError(ErrorCodes.workspaceNotRunning, 'the workspace is not running: start it first');
    let session = tid ? r.terminals.get(tid) : undefined;
    if (!session) {
      if (tid && role === 'read') throw new CallerError(HttpCodes.notFound, 'terminal not found');
      if (role === 'read') {
        // A viewer watches the first terminal there is; it never creates one.
        session = r.terminals.values().next().value;
        if (!session) throw new CallerError(ErrorCodes.workspaceNotRunning, 'no terminal is open in this workspace');
      } else {
        if (r.terminals.size >= this.deps.config.WORKSPACE_TERMINALS_MAX) {
          throw new CallerError(ErrorCodes.workspaceTerminalLimit, `a workspace has at most ${this.deps.config.WORKSPACE_TERMINALS_MAX} terminals: close one`);
        }
        const newId = tid && /^[A-Za-z0-9_-]{1,32}$/.test(tid) ? tid : randomBytes(4).toString('hex');
        const pty = r.box.spawnTerminal(size);
        session = new TerminalSession(newId, pty, { onActivity: () => this.activity(r), onExit: (s) => r.terminals.delete(s.id) }, { cols: pty.cols, rows: pty.rows });
        r.terminals.set(newId, session);
      }
    }
    r.sockets++;
    this.activity(r);
    let released = false;
    return {
      session,
      readOnly: role === 'read',
      release: () => {
        if (released) return;
        released = true;
        r.sockets--;
        r.lastActivity = Date.now();
      },
    };
  }

  private activity(r: Running): void {
    r.lastActivity = Date.now();
  }

  private touch(id: string): void {
    const r = this.running.get(id);
    if (r) r.lastActivity = Date.now();
    void this.deps.db
      .update(workspaces)
      .set({ lastActiveAt: sql`now()` })
      .where(eq(workspaces.id, id))
      .catch(() => undefined);
  }

  /** Idle policy: no activity for WORKSPACE_IDLE_MINUTES, or WORKSPACE_GRACE_SECONDS once no socket is open. */
  async reapIdle(now = Date.now()): Promise<string[]> {
    const c = this.deps.config;
    const stopped: string[] = [];
    for (const r of [...this.running.values()]) {
      if (r.status !== 'running') continue;
      const idleMs = now - r.lastActivity;
      const limit = r.sockets > 0 ? c.WORKSPACE_IDLE_MINUTES * 60_000 : Math.min(c.WORKSPACE_GRACE_SECONDS * 1000, c.WORKSPACE_IDLE_MINUTES * 60_000);
      if (idleMs >= limit) {
        stopped.push(r.id);
        await this.stopNow(r.id).catch(() => undefined);
      }
    }
    return stopped;
  }

  /** Flow control of each terminal (the server's memory per terminal is bounded by its backlog). */
  terminalFlow(id: string): { id: string; paused: boolean; backlogBytes: number }[] {
    const r = this.running.get(id);
    return r ? [...r.terminals.values()].map((t) => ({ id: t.id, ...t.flow })) : [];
  }

  get runningCount(): number {
    return this.running.size;
  }

  leftovers() {
    return this.hostInstance?.leftovers() ?? { boxes: 0, pids: [], mounts: [] };
  }

  async close(): Promise<void> {
    clearInterval(this.idleTimer);
    if (this.renewTimer) clearInterval(this.renewTimer);
    for (const id of [...this.running.keys()]) await this.stopNow(id).catch(() => undefined);
    await this.hostInstance?.close();
  }
}

function splitRel(rel: string): { dir: string; name: string } {
  const i = rel.lastIndexOf('/');
  return i < 0 ? { dir: '/', name: rel } : { dir: `/${rel.slice(0, i)}`, name: rel.slice(i + 1) };
}

export { decodeContent };
