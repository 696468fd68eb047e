import { createHash, randomBytes } from 'node:crypto';
import fs from 'node:fs';
import path from 'node:path';
import type { BoxFile } from '../sandbox/box-fs.js';

/**
 * Compiled artifacts keyed by sha256(language, version, compile argv, environment, binds,
 * sources). Entries live in
 * a root-only directory, written to a temporary name and renamed (readers never see half an
 * entry). The run stage gets a *copy* in its box, so a program that rewrites its own binary
 * cannot poison the cache. Bounded in size; oldest entries go first.
 */
export interface CachedCompile {
  files: BoxFile[];
  stdout: Buffer;
  stderr: Buffer;
}

interface Header {
  files: { path: string; mode: number; size: number }[];
  stdout: number;
  stderr: number;
}

export class CompileCache {
  private readonly sizes = new Map<string, number>(); // insertion order = age (LRU by touch)
  private total = 0;

  constructor(
    private readonly dir: string,
    private readonly maxBytes: number,
  ) {
    if (maxBytes <= 0) return;
    fs.mkdirSync(dir, { recursive: true, mode: 0o700 });
    const entries = fs
      .readdirSync(dir)
      .filter((n) => /^[0-9a-f]{64}$/.test(n))
      .map((n) => ({ n, st: fs.statSync(path.join(dir, n)) }))
      .sort((a, b) => a.st.mtimeMs - b.st.mtimeMs);
    for (const { n, st } of entries) this.track(n, st.size);
    for (const n of fs.readdirSync(dir)) if (n.endsWith('.tmp')) fs.rmSync(path.join(dir, n), { force: true });
  }

  static key(parts: {
    language: string;
    version: string | null;
    argv: readonly string[];
    env: Readonly<Record<string, string>>;
    binds: readonly { source: string; dest: string }[];
    files: readonly BoxFile[];
  }): string {
    const h = createHash('sha256');
    const field = (s: string | Buffer) => {
      const b = Buffer.isBuffer(s) ? s : Buffer.from(s);
      const len = Buffer.alloc(8);
      len.writeBigUInt64LE(BigInt(b.length));
      h.update(len).update(b);
    };
    field(parts.language);
    field(parts.version ?? '');
    field(JSON.stringify(parts.argv));
    field(JSON.stringify(Object.entries(parts.env).sort(([a], [b]) => (a < b ? -1 : a > b ? 1 : 0))));
    field(JSON.stringify(parts.binds));
    for (const f of [...parts.files].sort((a, b) => (a.path < b.path ? -1 : a.path > b.path ? 1 : 0))) {
      field(f.path);
      field(String(f.mode));
      field(f.data);
    }
    return h.digest('hex');
  }

  get enabled(): boolean {
    return this.maxBytes > 0;
  }

  get(key: string): CachedCompile | null {
    if (!this.enabled || !this.sizes.has(key)) return null;
    let buf: Buffer;
    try {
      buf = fs.readFileSync(path.join(this.dir, key));
    } catch {
      this.untrack(key);
      return null;
    }
    const headerLen = buf.readUInt32LE(0);
    const header = JSON.parse(buf.subarray(4, 4 + headerLen).toString('utf8')) as Header;
    let off = 4 + headerLen;
    const take = (n: number) => {
      const b = buf.subarray(off, off + n);
      off += n;
      return b;
    };
    const stdout = take(header.stdout);
    const stderr = take(header.stderr);
    const files = header.files.map((f) => ({ path: f.path, mode: f.mode, data: take(f.size) }));
    // touch: most recently used goes last
    const size = this.sizes.get(key)!;
    this.sizes.delete(key);
    this.sizes.set(key, size);
    return { files, stdout, stderr };
  }

  put(key: string, entry: CachedCompile): void {
    if (!this.enabled) return;
    const header: Header = {
      files: entry.files.map((f) => ({ path: f.path, mode: f.mode, size: f.data.length })),
      stdout: entry.stdout.length,
      stderr: entry.stderr.length,
    };
    const h = Buffer.from(JSON.stringify(header));
    const len = Buffer.alloc(4);
    len.writeUInt32LE(h.length);
    const data = Buffer.concat([len, h, entry.stdout, entry.stderr, ...entry.files.map((f) => f.data)]);
    if (data.length > this.maxBytes) return;
    const tmp = path.join(this.dir, `${key}.${randomBytes(4).toString('hex')}.tmp`);
    fs.writeFileSync(tmp, data, { mode: 0o600 });
    fs.renameSync(tmp, path.join(this.dir, key));
    this.track(key, data.length);
    while (this.total > this.maxBytes) {
      const oldest = this.sizes.keys().next().value as string;
      fs.rmSync(path.join(this.dir, oldest), { force: true });
      this.untrack(oldest);
    }
  }

  private track(key: string, size: number) {
    this.untrack(key);
    this.sizes.set(key, size);
    this.total += size;
  }

  private untrack(key: string) {
    const s = this.sizes.get(key);
    if (s !== undefined) {
      this.total -= s;
      this.sizes.delete(key);
    }
  }
}
