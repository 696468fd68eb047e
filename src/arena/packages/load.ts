import fs from 'node:fs';
import path from 'node:path';
import { slugify } from './common.js';
import { loadDmoj } from './dmoj.js';
import { invalid, tooLarge } from './errors.js';
import { DEFAULT_PACKAGE_LIMITS, FileTree, type PackageLimits } from './file-tree.js';
import { loadKattis } from './kattis.js';
import type { LoadedProblemPackage } from './model.js';

export interface LoadOptions {
  /** Bounds on the package (archive size, unpacked size, entries, compression ratio). */
  limits?: Partial<PackageLimits>;
  /** Overrides the slug taken from the folder or archive name. */
  slug?: string;
}

const MARKERS = ['problem.yaml', 'init.yml', 'init.yaml', 'data'];

/**
 * Reads a problem package from a folder or a `.zip`/`.kpp` archive into the model. Pure: reads
 * files only (no network, database or sandbox). Every refusal is a CallerError with a PACKAGE_*
 * code naming the file (docs/problem-packages.md).
 */
export function loadProblemPackage(p: string, options: LoadOptions = {}): LoadedProblemPackage {
  const limits = { ...DEFAULT_PACKAGE_LIMITS, ...options.limits };
  let st: fs.Stats;
  try {
    st = fs.statSync(p);
  } catch {
    throw invalid(`${p}: no such file or folder`, p, 'missing');
  }
  if (st.isDirectory()) {
    const root = fs.realpathSync(p);
    return finish(FileTree.fromFolder(root, limits), path.basename(root), options, limits);
  }
  if (!st.isFile()) throw invalid(`${p} is neither a folder nor an archive`, p, 'type');
  if (st.size > limits.maxArchiveBytes) {
    throw tooLarge(`${p}: the archive is ${st.size} bytes, over ${limits.maxArchiveBytes}`, 'archiveBytes', limits.maxArchiveBytes, path.basename(p));
  }
  return loadProblemPackageFromZip(fs.readFileSync(p), path.basename(p), options);
}

/** The same from archive bytes (an upload); `name` is the file name, used for the slug and messages. */
export function loadProblemPackageFromZip(buf: Buffer, name: string, options: LoadOptions = {}): LoadedProblemPackage {
  const limits = { ...DEFAULT_PACKAGE_LIMITS, ...options.limits };
  return finish(FileTree.fromZip(buf, name, limits), name.replace(/\.(zip|kpp)$/i, ''), options, limits);
}

function finish(tree: FileTree, baseName: string, options: LoadOptions, limits: PackageLimits): LoadedProblemPackage {
  // A zip of the problem folder holds one top-level directory: that directory is the package.
  const top = tree.descendIfSingleDir(MARKERS);
  const slug = slugify(options.slug ?? top ?? baseName);
  const warnings: string[] = [];
  let problem;
  if (tree.isFile('problem.yaml') || (tree.isDir('data') && !tree.isFile('init.yml') && !tree.isFile('init.yaml'))) {
    problem = loadKattis(tree, slug, warnings);
  } else if (tree.isFile('init.yml') || tree.isFile('init.yaml')) {
    problem = loadDmoj(tree, slug, warnings, limits);
  } else {
    throw invalid(`${tree.label}: neither problem.yaml (Kattis) nor init.yml (DMOJ) found`, 'problem.yaml', 'missing');
  }
  return { problem, files: tree };
}
