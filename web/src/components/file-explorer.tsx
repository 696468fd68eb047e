/**
 * The project's file tree: folders first, the main file marked, unsaved files dotted. The owner
 * creates, renames, moves (also by drag and drop onto a folder) and deletes files and folders
 * through small inline forms; the page performs the API calls (`onAction`).
 */
import { type FormEvent, useState } from 'react';
import { buildTree, type DirNode, type TreeFile } from '../lib/file-tree';
import { FileIcon, FolderIcon } from './icons';

export type ExplorerAction =
  | { kind: 'new-file'; dir: string; name: string }
  | { kind: 'new-folder'; dir: string; name: string }
  | { kind: 'rename-file'; file: TreeFile; name: string }
  | { kind: 'move-file'; file: TreeFile; to: string }
  | { kind: 'rename-dir'; dir: string; name: string }
  | { kind: 'move-dir'; dir: string; to: string }
  | { kind: 'delete-file'; file: TreeFile }
  | { kind: 'delete-dir'; dir: string }
  | { kind: 'set-main'; file: TreeFile };

type Pending =
  | { kind: 'new-file' | 'new-folder'; dir: string }
  | { kind: 'rename-file' | 'move-file'; file: TreeFile }
  | { kind: 'rename-dir' | 'move-dir'; dir: string };

const baseName = (dir: string) => dir.slice(dir.lastIndexOf('/') + 1);

export function FileExplorer(props: {
  files: TreeFile[];
  extraDirs: string[];
  activeId: string | null;
  dirty: Set<string>;
  editable: boolean;
  busy: boolean;
  onOpen(file: TreeFile): void;
  onAction(action: ExplorerAction): Promise<boolean>;
}) {
  const tree = buildTree(props.files, props.extraDirs);
  const [collapsed, setCollapsed] = useState<Set<string>>(new Set());
  const [pending, setPending] = useState<Pending | null>(null);
  const [value, setValue] = useState('');
  const [dragOver, setDragOver] = useState<string | null>(null);

  const begin = (p: Pending, initial = '') => {
    setPending(p);
    setValue(initial);
  };
  const submit = async (e: FormEvent) => {
    e.preventDefault();
    if (!pending || !value.trim()) return;
    const v = value.trim();
    let action: ExplorerAction;
    switch (pending.kind) {
      case 'new-file':
      case 'new-folder':
        action = { kind: pending.kind, dir: pending.dir, name: v };
        break;
      case 'rename-file':
        action = { kind: 'rename-file', file: pending.file, name: v };
        break;
      case 'move-file':
        action = { kind: 'move-file', file: pending.file, to: v };
        break;
      case 'rename-dir':
        action = { kind: 'rename-dir', dir: pending.dir, name: v };
        break;
      case 'move-dir':
        action = { kind: 'move-dir', dir: pending.dir, to: v };
        break;
    }
    if (await props.onAction(action)) setPending(null);
  };

  const label = (() => {
    if (!pending) return '';
    switch (pending.kind) {
      case 'new-file':
        return `New file in ${pending.dir}`;
      case 'new-folder':
        return `New folder in ${pending.dir}`;
      case 'rename-file':
        return `Rename ${pending.file.name} to`;
      case 'move-file':
        return `Move ${pending.file.name} to folder`;
      case 'rename-dir':
        return `Rename folder ${pending.dir} to`;
      case 'move-dir':
        return `Move folder ${pending.dir} into`;
    }
  })();

  const drop = (dir: string) => (e: React.DragEvent) => {
    e.preventDefault();
    setDragOver(null);
    const id = e.dataTransfer.getData('application/x-muscode-file');
    const file = props.files.find((f) => f.id === id);
    if (file && file.path !== dir) void props.onAction({ kind: 'move-file', file, to: dir });
  };
  const dropTarget = (dir: string) =>
    props.editable
      ? {
          onDragOver: (e: React.DragEvent) => {
            if (e.dataTransfer.types.includes('application/x-muscode-file')) {
              e.preventDefault();
              setDragOver(dir);
            }
          },
          onDragLeave: () => setDragOver((d) => (d === dir ? null : d)),
          onDrop: drop(dir),
        }
      : {};

  const renderDir = (node: DirNode, depth: number) => (
    <>
      {node.dirs.map((d) => {
        const open = !collapsed.has(d.path);
        return (
          <li key={d.path} role="treeitem" aria-expanded={open} aria-selected={false} aria-label={`folder ${d.name}`}>
            <div className={`tree-row${dragOver === d.path ? ' drop' : ''}`} {...dropTarget(d.path)}>
              <button
                type="button"
                className="tree-item"
                onClick={() =>
                  setCollapsed((s) => {
                    const n = new Set(s);
                    if (n.has(d.path)) n.delete(d.path);
                    else n.add(d.path);
                    return n;
                  })
                }
                data-testid={`dir-${d.path}`}
              >
                <span aria-hidden="true" className="caret">{open ? '▾' : '▸'}</span>
                <FolderIcon open={open} /> {d.name}
              </button>
              {props.editable && (
                <span className="tree-actions">
                  <button type="button" className="icon-btn" title={`New file in ${d.path}`} aria-label={`New file in ${d.path}`} onClick={() => begin({ kind: 'new-file', dir: d.path })}>
                    +
                  </button>
                  <button type="button" className="icon-btn" title="Rename folder" aria-label={`Rename folder ${d.path}`} onClick={() => begin({ kind: 'rename-dir', dir: d.path }, d.name)}>
                    ✎
                  </button>
                  <button type="button" className="icon-btn" title="Move folder" aria-label={`Move folder ${d.path}`} onClick={() => begin({ kind: 'move-dir', dir: d.path }, '/')}>
                    ⇄
                  </button>
                  <button type="button" className="icon-btn" title="Delete folder" aria-label={`Delete folder ${d.path}`} onClick={() => void props.onAction({ kind: 'delete-dir', dir: d.path })}>
                    ✕
                  </button>
                </span>
              )}
            </div>
            {open && <ul role="group">{renderDir(d, depth + 1)}</ul>}
          </li>
        );
      })}
      {node.files.map((f) => (
        <li key={f.id} role="treeitem" aria-selected={props.activeId === f.id}>
          <div className="tree-row">
            <button
              type="button"
              className="tree-item"
              aria-selected={props.activeId === f.id}
              onClick={() => props.onOpen(f)}
              draggable={props.editable}
              onDragStart={(e) => {
                e.dataTransfer.setData('application/x-muscode-file', f.id);
                e.dataTransfer.effectAllowed = 'move';
              }}
              data-testid={`file-${f.path === '/' ? '' : f.path.slice(1) + '/'}${f.name}`}
            >
              <FileIcon /> {f.name}
              {f.isMain && <span className="badge">main</span>}
              {props.dirty.has(f.id) && (
                <span className="dirty-dot" aria-label="unsaved changes" title="Unsaved changes">
                  ●
                </span>
              )}
            </button>
            {props.editable && (
              <span className="tree-actions">
                {!f.isMain && (
                  <button type="button" className="icon-btn" title="Make it the main file" aria-label={`Make ${f.name} the main file`} onClick={() => void props.onAction({ kind: 'set-main', file: f })}>
                    ★
                  </button>
                )}
                <button type="button" className="icon-btn" title="Rename" aria-label={`Rename ${f.name}`} onClick={() => begin({ kind: 'rename-file', file: f }, f.name)}>
                  ✎
                </button>
                <button type="button" className="icon-btn" title="Move" aria-label={`Move ${f.name}`} onClick={() => begin({ kind: 'move-file', file: f }, f.path)}>
                  ⇄
                </button>
                <button type="button" className="icon-btn" title="Delete" aria-label={`Delete ${f.name}`} onClick={() => void props.onAction({ kind: 'delete-file', file: f })}>
                  ✕
                </button>
              </span>
            )}
          </div>
        </li>
      ))}
    </>
  );

  return (
    <nav className="pane explorer" aria-label="Files">
      <div className="explorer-head">
        <h2>Files</h2>
        {props.editable && (
          <span>
            <button type="button" className="icon-btn" onClick={() => begin({ kind: 'new-file', dir: '/' })} data-testid="new-file" aria-label="New file" title="New file">
              + file
            </button>
            <button type="button" className="icon-btn" onClick={() => begin({ kind: 'new-folder', dir: '/' })} data-testid="new-folder" aria-label="New folder" title="New folder">
              + folder
            </button>
          </span>
        )}
      </div>
      {pending && (
        <form className="inline-form" onSubmit={submit} aria-label={label}>
          <label htmlFor="explorer-input" className="sr-only">
            {label}
          </label>
          <input
            id="explorer-input"
            autoFocus
            value={value}
            onChange={(e) => setValue(e.target.value)}
            placeholder={label}
            title={label}
            onKeyDown={(e) => e.key === 'Escape' && setPending(null)}
            data-testid="explorer-input"
          />
          <button type="submit" className="btn btn-small" disabled={props.busy}>
            OK
          </button>
          <button type="button" className="btn btn-small" onClick={() => setPending(null)}>
            Cancel
          </button>
        </form>
      )}
      {pending && <p className="muted small">{label}{pending.kind.startsWith('move') ? ' (e.g. / or /src)' : ''}</p>}
      <ul className="tree" role="tree" aria-label="Project files" {...dropTarget('/')}>
        {renderDir(tree, 0)}
      </ul>
      {props.files.length === 0 && <p className="muted small">No files.</p>}
    </nav>
  );
}

export { baseName };
