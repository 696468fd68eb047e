/** The project explorer's tree logic (web/src/lib/file-tree.ts). */
import { describe, expect, it } from 'vitest';
import { buildTree, displayPath, isInside, normalizeDirInput, parentDir, relocate } from '../../web/src/lib/file-tree';

const files = [
  { id: '1', name: 'main.py', path: '/' },
  { id: '2', name: 'util.py', path: '/lib' },
  { id: '3', name: 'deep.py', path: '/lib/inner' },
  { id: '4', name: 'a.py', path: '/' },
  { id: '5', name: 'other.py', path: '/library' },
];

describe('file tree', () => {
  it('builds folders from file paths, folders and files sorted, plus empty client-side folders', () => {
    const t = buildTree(files, ['/empty', '/lib/new']);
    expect(t.files.map((f) => f.name)).toEqual(['a.py', 'main.py']);
    expect(t.dirs.map((d) => d.path)).toEqual(['/empty', '/lib', '/library']);
    const lib = t.dirs[1]!;
    expect(lib.dirs.map((d) => d.path)).toEqual(['/lib/inner', '/lib/new']);
    expect(lib.files.map((f) => f.name)).toEqual(['util.py']);
    expect(lib.dirs[0]!.files.map((f) => f.name)).toEqual(['deep.py']);
  });

  it('isInside does not confuse /lib with /library', () => {
    expect(isInside('/lib/inner', '/lib')).toBe(true);
    expect(isInside('/lib', '/lib')).toBe(true);
    expect(isInside('/library', '/lib')).toBe(false);
    expect(isInside('/anything', '/')).toBe(true);
  });

  it('relocate: renaming or moving a folder moves every file below it, and nothing else', () => {
    expect(relocate(files, '/lib', '/src')).toEqual([
      { id: '2', path: '/src' },
      { id: '3', path: '/src/inner' },
    ]);
    expect(relocate(files, '/lib/inner', '/')).toEqual([{ id: '3', path: '/' }]);
    expect(relocate(files, '/lib', '/a/b')).toEqual([
      { id: '2', path: '/a/b' },
      { id: '3', path: '/a/b/inner' },
    ]);
  });

  it('normalises what people type as a folder', () => {
    expect(normalizeDirInput('src/lib/')).toBe('/src/lib');
    expect(normalizeDirInput(' /src//lib ')).toBe('/src/lib');
    expect(normalizeDirInput('./src')).toBe('/src');
    expect(normalizeDirInput('')).toBe('/');
    expect(parentDir('/a/b')).toBe('/a');
    expect(parentDir('/a')).toBe('/');
    expect(displayPath({ name: 'x.py', path: '/' })).toBe('x.py');
    expect(displayPath({ name: 'x.py', path: '/a/b' })).toBe('a/b/x.py');
  });
});
