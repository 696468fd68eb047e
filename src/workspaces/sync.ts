import { createHash } from 'node:crypto';
import fs from 'node:fs';
import path from 'node:path';
import { type WorkspaceDir, readWorkspaceFile, writeWorkspaceFile } from './dir-io.js';
import type { DbFile, Rejected, Upsert } from './project-files.js';
import { decodeContent, encodeContent, scanWorkspace } from './scan.js';

/**
 * Directory to database for one running workspace. The database is the source of truth: on
 * start the directory is rebuilt from it (`materialize`); afterwards every change made inside
 * (a program writes a file, `mv`, `rm -r`) is found by a scan and written back. Scans run
 * shortly after a watcher event (one non-recursive inotify watch per directory the scan saw:
 * Node's recursive watch on Linux is emulated in JavaScript and would follow links), every
 * `intervalMs` as a safety net, and once more on stop. Only files whose size, mtime or inode
 * changed are read, and only those whose bytes changed are written.
 */
export interface SyncSink {
  apply(upserts: Upsert[], deletes: string[]): Promise<{ written: string[]; deleted: string[]; rejected: Rejected[] }>;
  onChange(event: { written: string[]; deleted: string[]; rejected: Rejected[]; skipped: { rel: string; reason: string }[] }): void;
}

interface Known {
  sig: string;
  hash: string;
}

const DEBOUNCE_MS = 250;
const MAX_WATCHED_DIRS = 500;

export class WorkspaceSync {
  /** What the database holds (engine path -> the directory's signature and the bytes' hash). */
  private readonly known = new Map<string, Known>();
  /** Files refused (over a limit) at this signature: not retried until they change. */
  private readonly refused = new Map<string, string>();
  private readonly watchers = new Map<string, fs.FSWatcher>();
  private timer: NodeJS.Timeout | null = null;
  private interval: NodeJS.Timeout | null = null;
  private running: Promise<void> | null = null;
  private again = false;
  private stopped = false;
  /** The last problems, for the status endpoint. */
  lastRejected: Rejected[] = [];
  lastSkipped: { rel: string; reason: string }[] = [];

  constructor(
    private readonly ws: WorkspaceDir,
    private readonly sink: SyncSink,
    private readonly opts: { intervalMs: number; maxFileBytes: number },
  ) {}

  /** Writes the database's files into the (fresh) directory and starts watching. */
  materialize(dbFiles: readonly DbFile[]): void {
    for (const f of dbFiles) {
      const bytes = decodeContent(f.content, f.encoding);
      try {
        writeWorkspaceFile(this.ws, f.rel, bytes);
      } catch {
        continue; // a file and a directory of the same name cannot both exist on disk
      }
      this.known.set(f.rel, { sig: this.sigOf(f.rel), hash: hash(bytes) });
    }
    const scan = scanWorkspace(this.ws);
    this.watch(scan.dirs);
    this.interval = setInterval(() => this.schedule(0), this.opts.intervalMs);
    this.interval.unref();
  }

  /** The editor saved a file (already in the database): put it in the directory without echoing it back. */
  wrote(rel: string, bytes: Buffer): void {
    writeWorkspaceFile(this.ws, rel, bytes);
    this.known.set(rel, { sig: this.sigOf(rel), hash: hash(bytes) });
  }

  forget(rel: string): void {
    for (const k of [...this.known.keys()]) if (k === rel || k.startsWith(`${rel}/`)) this.known.delete(k);
  }

  private sigOf(rel: string): string {
    try {
      const st = fs.lstatSync(path.join(this.ws.dir, rel), { bigint: true });
      return `${st.size}:${st.mtimeNs}:${st.ino}`;
    } catch {
      return '';
    }
  }

  private watch(dirs: readonly string[]): void {
    const wanted = new Set(dirs.slice(0, MAX_WATCHED_DIRS));
    for (const [d, w] of this.watchers) {
      if (!wanted.has(d)) {
        w.close();
        this.watchers.delete(d);
      }
    }
    for (const d of wanted) {
      if (this.watchers.has(d)) continue;
      try {
        const w = fs.watch(path.join(this.ws.dir, d), { persistent: false }, () => this.schedule(DEBOUNCE_MS));
        w.on('error', () => {
          w.close();
          this.watchers.delete(d);
        });
        this.watchers.set(d, w);
      } catch {
        // gone meanwhile; the next scan sees it
      }
    }
  }

  private schedule(ms: number): void {
    if (this.stopped || this.timer) return;
    this.timer = setTimeout(() => {
      this.timer = null;
      void this.syncNow().catch(() => undefined);
    }, ms);
  }

  /** One scan and write-back; concurrent calls share a run and trigger one more after it. */
  syncNow(): Promise<void> {
    if (this.running) {
      this.again = true;
      return this.running;
    }
    this.running = this.once().finally(() => {
      this.running = null;
      if (this.again && !this.stopped) {
        this.again = false;
        this.schedule(0);
      }
    });
    return this.running;
  }

  private async once(): Promise<void> {
    // Never sync a directory that is not the workspace's tmpfs any more (unmounted by a stop):
    // an empty scan would read as "every file was deleted".
    try {
      if (fs.statSync(this.ws.dir).dev !== this.ws.dev) return;
    } catch {
      return;
    }
    const scan = scanWorkspace(this.ws);
    if (!this.stopped) this.watch(scan.dirs);
    const upserts: Upsert[] = [];
    const hashes = new Map<string, Known>();
    for (const [rel, f] of scan.files) {
      const k = this.known.get(rel);
      if (k && k.sig === f.sig) continue;
      if (this.refused.get(rel) === f.sig) continue;
      const bytes = readWorkspaceFile(this.ws, f.rel, this.opts.maxFileBytes);
      if (bytes === null) continue;
      if (bytes === 'too-large') {
        upserts.push({ path: f.dir, name: f.name, content: '', encoding: 'utf8', size: f.size });
        hashes.set(rel, { sig: f.sig, hash: '' });
        continue;
      }
      const h = hash(bytes);
      if (k && k.hash === h) {
        this.known.set(rel, { sig: f.sig, hash: h });
        continue;
      }
      const enc = encodeContent(bytes);
      upserts.push({ path: f.dir, name: f.name, content: enc.content, encoding: enc.encoding, size: bytes.length });
      hashes.set(rel, { sig: f.sig, hash: h });
    }
    const deletes = [...this.known.keys()].filter((rel) => !scan.files.has(rel));
    for (const rel of [...this.refused.keys()]) if (!scan.files.has(rel)) this.refused.delete(rel);
    if (!upserts.length && !deletes.length) {
      this.lastSkipped = scan.skipped;
      return;
    }
    const res = await this.sink.apply(upserts, deletes);
    for (const rel of res.written) {
      const h = hashes.get(rel);
      if (h) this.known.set(rel, h);
      this.refused.delete(rel);
    }
    for (const rel of res.deleted) this.known.delete(rel);
    for (const r of res.rejected) {
      const f = scan.files.get(r.rel);
      if (f) this.refused.set(r.rel, f.sig);
      // A refused delete (the main file) stays known: it is in the database still.
    }
    this.lastRejected = res.rejected;
    this.lastSkipped = scan.skipped;
    this.sink.onChange({ ...res, skipped: scan.skipped });
  }

  /** A last scan (so that nothing made just before the stop is lost), then no more watching. */
  async stop(): Promise<void> {
    this.close();
    await this.running?.catch(() => undefined);
    await this.once();
  }

  close(): void {
    this.stopped = true;
    if (this.timer) clearTimeout(this.timer);
    if (this.interval) clearInterval(this.interval);
    for (const w of this.watchers.values()) w.close();
    this.watchers.clear();
  }
}

function hash(b: Buffer): string {
  return createHash('sha256').update(b).digest('hex');
}
