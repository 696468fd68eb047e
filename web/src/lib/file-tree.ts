/**
 * The explorer's tree from a project's flat file list. The API stores files only (a file's
 * `path` is its directory: "/" or "/src/lib"); folders exist because files are in them, plus
 * folders the user just created and has not put a file in yet (`extraDirs`, client side).
 */
export interface TreeFile {
  id: string;
  name: string;
  path: string;
  isMain?: boolean;
}

export interface DirNode {
  kind: 'dir';
  name: string;
  /** "/" for the root, else "/a/b". */
  path: string;
  dirs: DirNode[];
  files: TreeFile[];
}

export function joinDir(dir: string, name: string): string {
  return dir === '/' ? `/${name}` : `${dir}/${name}`;
}

export function parentDir(dir: string): string {
  const i = dir.lastIndexOf('/');
  return i <= 0 ? '/' : dir.slice(0, i);
}

/** "/a/b" is inside "/a" (and inside itself). */
export function isInside(dir: string, ancestor: string): boolean {
  return ancestor === '/' || dir === ancestor || dir.startsWith(`${ancestor}/`);
}

/** Normalises what a user types as a folder: "src/lib/", "/src//lib", "./src" -> "/src/lib". */
export function normalizeDirInput(input: string): string {
  const parts = input
    .trim()
    .split('/')
    .filter((p) => p !== '' && p !== '.');
  return parts.length ? `/${parts.join('/')}` : '/';
}

export function buildTree(files: readonly TreeFile[], extraDirs: readonly string[] = []): DirNode {
  const root: DirNode = { kind: 'dir', name: '', path: '/', dirs: [], files: [] };
  const dirOf = (path: string): DirNode => {
    let node = root;
    for (const part of path.split('/').filter(Boolean)) {
      let next = node.dirs.find((d) => d.name === part);
      if (!next) {
        next = { kind: 'dir', name: part, path: joinDir(node.path, part), dirs: [], files: [] };
        node.dirs.push(next);
      }
      node = next;
    }
    return node;
  };
  for (const d of extraDirs) dirOf(d);
  for (const f of files) dirOf(f.path).files.push(f);
  const sort = (n: DirNode) => {
    n.dirs.sort((a, b) => a.name.localeCompare(b.name));
    n.files.sort((a, b) => a.name.localeCompare(b.name));
    n.dirs.forEach(sort);
  };
  sort(root);
  return root;
}

/** Where each file of `dir` goes when `dir` is renamed or moved to `to`. */
export function relocate(files: readonly TreeFile[], dir: string, to: string): { id: string; path: string }[] {
  return files
    .filter((f) => isInside(f.path, dir))
    .map((f) => {
      const rest = dir === '/' ? f.path : f.path.slice(dir.length); // "" or "/x/y"
      return { id: f.id, path: to === '/' ? rest || '/' : to + (rest === '/' ? '' : rest) };
    });
}

/** The file's path as the program sees it: "src/util.py". */
export function displayPath(f: { name: string; path: string }): string {
  return f.path === '/' ? f.name : `${f.path.slice(1)}/${f.name}`;
}
