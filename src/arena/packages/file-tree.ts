import fs from 'node:fs';
import path from 'node:path';
import { badSymlink, invalid, tooLarge, unsafePath } from './errors.js';
import type { PackageFiles } from './model.js';
import { readZip, type ZipLimits } from './zip-reader.js';

/**
 * A package as a virtual tree of files, directories and symlinks, built the same way from a
 * folder (lstat, never following a link on the real file system) or a ZIP archive. Every symlink
 * is checked when the tree is built: it must be relative, stay inside the package and end at an
 * existing file or directory; a link to one of its own ancestors (a loop when walking) is
 * refused too. After that, `resolve` follows links component by component inside the tree only.
 */

export type PackageLimits = ZipLimits;

export const DEFAULT_PACKAGE_LIMITS: PackageLimits = {
  maxArchiveBytes: 256 * 1024 * 1024,
  maxTotalBytes: 1024 * 1024 * 1024,
  maxFileBytes: 256 * 1024 * 1024,
  maxEntries: 20_000,
  // Deflate tops out near 1032:1; real test data (long runs of the same number) reaches a few
  // hundred. The total bound is the real protection; the ratio catches a bomb early.
  maxCompressionRatio: 500,
  ratioFloorBytes: 1024 * 1024,
};

type Node =
  | { kind: 'file'; size: number; read: () => Buffer }
  | { kind: 'dir' }
  | { kind: 'symlink'; target: string };

const MAX_HOPS = 40;

export class FileTree implements PackageFiles {
  private readonly nodes = new Map<string, Node>([['', { kind: 'dir' }]]);
  /**
   * Directory entries walking may still visit. Links that are each harmless can multiply one
   * another (a folder with two links to a folder with two links...), so walking is bounded
   * globally, not per directory.
   */
  private walkBudget: number;

  private constructor(
    readonly label: string,
    private readonly maxEntries: number,
  ) {
    this.walkBudget = 4 * maxEntries + 1000;
  }

  static fromFolder(root: string, limits: PackageLimits): FileTree {
    const tree = new FileTree(path.basename(root), limits.maxEntries);
    let total = 0;
    let count = 0;
    const walk = (abs: string, rel: string): void => {
      for (const name of fs.readdirSync(abs).sort()) {
        const a = path.join(abs, name);
        const r = rel === '' ? name : `${rel}/${name}`;
        if (++count > limits.maxEntries) throw tooLarge(`${tree.label}: more than ${limits.maxEntries} entries`, 'entries', limits.maxEntries, r);
        const st = fs.lstatSync(a);
        if (st.isSymbolicLink()) {
          tree.nodes.set(r, { kind: 'symlink', target: fs.readlinkSync(a) });
        } else if (st.isDirectory()) {
          tree.nodes.set(r, { kind: 'dir' });
          walk(a, r);
        } else if (st.isFile()) {
          if (st.size > limits.maxFileBytes) throw tooLarge(`${r} is ${st.size} bytes, over ${limits.maxFileBytes}`, 'fileBytes', limits.maxFileBytes, r);
          total += st.size;
          if (total > limits.maxTotalBytes) throw tooLarge(`${tree.label}: more than ${limits.maxTotalBytes} bytes`, 'totalBytes', limits.maxTotalBytes, r);
          tree.nodes.set(r, { kind: 'file', size: st.size, read: () => readNoFollow(a, r, limits.maxFileBytes) });
        } else {
          throw unsafePath(`${r} is neither a file, a directory nor a symlink`, r, 'special file');
        }
      }
    };
    walk(root, '');
    tree.checkSymlinks();
    return tree;
  }

  static fromZip(buf: Buffer, label: string, limits: PackageLimits): FileTree {
    const tree = new FileTree(label, limits.maxEntries);
    tree.addZip(buf, '', limits);
    tree.checkSymlinks();
    return tree;
  }

  private addZip(buf: Buffer, prefix: string, limits: PackageLimits): void {
    const seen = new Set<string>();
    for (const e of readZip(buf, limits, this.label)) {
      // macOS Finder adds resource forks; they are never package content.
      if (e.name === '__MACOSX' || e.name.startsWith('__MACOSX/') || e.name.endsWith('.DS_Store')) continue;
      const name = prefix === '' ? e.name : `${prefix}/${e.name}`;
      const key = name.toLowerCase();
      if (seen.has(key) && e.kind !== 'dir') throw unsafePath(`${this.label}: ${name} appears twice`, name, 'duplicate');
      seen.add(key);
      const parts = name.split('/');
      for (let i = 1; i < parts.length; i++) {
        const dir = parts.slice(0, i).join('/');
        const existing = this.nodes.get(dir);
        if (existing && existing.kind !== 'dir') throw unsafePath(`${this.label}: ${dir} is both a file and a directory`, dir, 'conflict');
        this.nodes.set(dir, { kind: 'dir' });
      }
      if (e.kind === 'dir') {
        const existing = this.nodes.get(name);
        if (existing && existing.kind !== 'dir') throw unsafePath(`${this.label}: ${name} is both a file and a directory`, name, 'conflict');
        this.nodes.set(name, { kind: 'dir' });
      } else if (e.kind === 'symlink') {
        if (this.nodes.has(name)) throw unsafePath(`${this.label}: ${name} is both a link and a directory`, name, 'conflict');
        this.nodes.set(name, { kind: 'symlink', target: e.read().toString('utf8') });
      } else {
        if (this.nodes.get(name)?.kind === 'dir') throw unsafePath(`${this.label}: ${name} is both a file and a directory`, name, 'conflict');
        this.nodes.set(name, { kind: 'file', size: e.size, read: e.read });
      }
    }
  }

  /** Replaces the archive file at `rel` by a directory holding its entries (DMOJ `archive:`). */
  mountZip(rel: string, limits: PackageLimits): void {
    const real = this.resolve(rel);
    const node = this.nodes.get(real);
    if (!node || node.kind !== 'file') throw invalid(`${rel} is missing`, rel, 'missing');
    const buf = node.read();
    this.nodes.set(real, { kind: 'dir' });
    this.addZip(buf, real, limits);
    this.checkSymlinks();
  }

  /** If the root holds only one directory (a zipped folder), make that directory the root. */
  descendIfSingleDir(markers: string[]): string | null {
    if (markers.some((m) => this.nodes.has(m))) return null;
    const top = [...this.nodes.keys()].filter((k) => k !== '' && !k.includes('/'));
    if (top.length !== 1 || this.nodes.get(top[0]!)?.kind !== 'dir') return null;
    const dir = top[0]!;
    const moved = new Map<string, Node>([['', { kind: 'dir' }]]);
    for (const [k, v] of this.nodes) {
      if (k.startsWith(`${dir}/`)) moved.set(k.slice(dir.length + 1), v);
    }
    this.nodes.clear();
    for (const [k, v] of moved) this.nodes.set(k, v);
    // Links were checked against the old root; re-check against the new, smaller one.
    this.checkSymlinks();
    return dir;
  }

  private checkSymlinks(): void {
    for (const [p, n] of this.nodes) {
      if (n.kind !== 'symlink') continue;
      const final = this.resolve(p);
      const parent = p.includes('/') ? p.slice(0, p.lastIndexOf('/')) : '';
      // A directory link to itself or an ancestor makes the tree infinite.
      if (this.nodes.get(final)?.kind === 'dir' && (final === '' || parent === final || parent.startsWith(`${final}/`))) {
        throw badSymlink(`symlink ${p} points to its own ancestor ${final || '.'} (a loop)`, p, 'loop');
      }
    }
  }

  /** The real path of `rel` inside the tree, every symlink on the way followed. */
  resolve(rel: string): string {
    let hops = 0;
    const pending = rel.split('/').filter((s) => s !== '' && s !== '.');
    const done: string[] = [];
    while (pending.length > 0) {
      const part = pending.shift()!;
      if (part === '..') {
        if (done.length === 0) throw badSymlink(`${rel} leaves the package`, rel, 'outside');
        done.pop();
        continue;
      }
      const cur = [...done, part].join('/');
      const node = this.nodes.get(cur);
      if (!node) {
        done.push(part);
        // Missing: the caller decides (exists() is false); the rest is kept for the message.
        return [...done, ...pending].join('/');
      }
      if (node.kind === 'symlink') {
        if (++hops > MAX_HOPS) throw badSymlink(`symlink ${cur} loops`, cur, 'loop');
        const t = node.target;
        if (t.startsWith('/') || /^[A-Za-z]:/.test(t) || t.includes('\\')) {
          throw badSymlink(`symlink ${cur} has an absolute target ${JSON.stringify(t)}`, cur, 'absolute');
        }
        const depth = t.split('/').filter((s) => s !== '' && s !== '.').reduce((d, s) => (d < 0 ? d : s === '..' ? d - 1 : d + 1), done.length);
        if (depth < 0) throw badSymlink(`symlink ${cur} points outside the package (${t})`, cur, 'outside');
        const tp = t.split('/').filter((s) => s !== '' && s !== '.');
        if (!this.targetExists(done, tp)) throw badSymlink(`symlink ${cur} dangles (${t})`, cur, 'dangling');
        pending.unshift(...tp);
        continue;
      }
      done.push(part);
    }
    return done.join('/');
  }

  /** Whether the link target exists (up to the next link on its way, which the caller follows). */
  private targetExists(done: string[], tp: string[]): boolean {
    const stack = [...done];
    for (const s of tp) {
      if (s === '..') {
        if (stack.length === 0) return false;
        stack.pop();
        continue;
      }
      stack.push(s);
      const n = this.nodes.get(stack.join('/'));
      if (!n) return false;
      if (n.kind === 'symlink') return true;
    }
    return true;
  }

  private node(rel: string): Node | undefined {
    return this.nodes.get(this.resolve(rel));
  }

  exists(rel: string): boolean {
    return this.node(rel) !== undefined;
  }

  isFile(rel: string): boolean {
    return this.node(rel)?.kind === 'file';
  }

  isDir(rel: string): boolean {
    return this.node(rel)?.kind === 'dir';
  }

  /** Names in a directory (links included, not yet followed), sorted. */
  list(rel: string): string[] {
    const dir = this.resolve(rel);
    if (this.nodes.get(dir)?.kind !== 'dir') return [];
    const prefix = dir === '' ? '' : `${dir}/`;
    const out: string[] = [];
    for (const k of this.nodes.keys()) {
      if (k !== '' && k.startsWith(prefix) && !k.slice(prefix.length).includes('/')) out.push(k.slice(prefix.length));
    }
    this.walkBudget -= out.length;
    if (this.walkBudget < 0) {
      throw tooLarge(`${this.label}: symlinks expand the package past ${4 * this.maxEntries} entries`, 'entries', this.maxEntries, rel);
    }
    return out.sort();
  }

  /** Every regular file under `rel` (recursively, links followed), as paths under `rel`. */
  walkFiles(rel: string, chain: string[] = []): string[] {
    const real = this.enterDir(rel, chain);
    const out: string[] = [];
    for (const name of this.list(rel)) {
      const p = rel === '' ? name : `${rel}/${name}`;
      if (this.isDir(p)) out.push(...this.walkFiles(p, [...chain, real]));
      else if (this.isFile(p)) out.push(p);
    }
    return out;
  }

  /**
   * The real path of a directory being walked into, refusing a cycle (it is already on the
   * chain of directories being walked, reached again through links) and absurd depth.
   */
  enterDir(rel: string, chain: string[]): string {
    const real = this.resolve(rel);
    if (chain.includes(real)) throw badSymlink(`${rel} leads back to ${real || '.'} through symlinks (a loop)`, rel, 'loop');
    if (chain.length > 32) throw invalid(`${rel}: directories nested too deep`, rel, 'depth');
    return real;
  }

  read(rel: string): Buffer {
    const real = this.resolve(rel);
    const n = this.nodes.get(real);
    if (!n || n.kind !== 'file') throw invalid(`${rel} is missing from the package`, rel, 'missing');
    return n.read();
  }

  readText(rel: string): string {
    return this.read(rel).toString('utf8').replace(/^\uFEFF/, '');
  }

  size(rel: string): number {
    const n = this.node(rel);
    return n?.kind === 'file' ? n.size : 0;
  }
}

/**
 * Reads a file that was a regular file when the tree was built, refusing it if it has since
 * become a symlink (O_NOFOLLOW) or grown past the bound: the folder may change under us.
 */
function readNoFollow(abs: string, rel: string, max: number): Buffer {
  let fd: number;
  try {
    fd = fs.openSync(abs, fs.constants.O_RDONLY | fs.constants.O_NOFOLLOW);
  } catch (err) {
    if ((err as NodeJS.ErrnoException).code === 'ELOOP') throw badSymlink(`${rel} became a symlink while the package was read`, rel, 'outside');
    throw invalid(`${rel} cannot be read: ${(err as Error).message}`, rel, 'unreadable');
  }
  try {
    const size = fs.fstatSync(fd).size;
    if (size > max) throw tooLarge(`${rel} is ${size} bytes, over ${max}`, 'fileBytes', max, rel);
    const buf = Buffer.alloc(size);
    let off = 0;
    while (off < size) {
      const n = fs.readSync(fd, buf, off, size - off, off);
      if (n === 0) break;
      off += n;
    }
    return buf.subarray(0, off);
  } finally {
    fs.closeSync(fd);
  }
}
