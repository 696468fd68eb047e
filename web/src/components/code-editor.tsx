/**
 * CodeMirror 6, bundled (never from a CDN): basicSetup (line numbers, history, folding, bracket
 * matching and closing, search, autocompletion of words), the language's syntax and indentation
 * (loaded on demand), Tab to indent, Mod-Enter to run, Mod-S to save, and diagnostics from the
 * last run marked in the gutter.
 *
 * One EditorView; every document (`docKey`: a playground language, a project file) keeps its
 * own EditorState, so switching tabs keeps each file's undo history and selection.
 */
import { indentWithTab } from '@codemirror/commands';
import { type Diagnostic as CmDiagnostic, lintGutter, setDiagnostics } from '@codemirror/lint';
import { Compartment, EditorState, type Extension, Prec } from '@codemirror/state';
import { oneDark } from '@codemirror/theme-one-dark';
import { EditorView, keymap } from '@codemirror/view';
import { basicSetup } from 'codemirror';
import { useEffect, useId, useRef } from 'react';
import { languageExtension } from '../lib/cm-languages';
import type { Diagnostic } from '../lib/diagnostics';

export interface CodeEditorProps {
  docKey: string;
  value: string;
  language: string;
  onChange(value: string): void;
  theme: 'light' | 'dark';
  onRun?: () => void;
  onSave?: () => void;
  diagnostics?: Diagnostic[];
  readOnly?: boolean;
  label: string;
}

const lightTheme = EditorView.theme({
  '&': { backgroundColor: 'var(--editor-bg)', color: 'var(--text)' },
  '.cm-gutters': { backgroundColor: 'var(--editor-gutter)', color: 'var(--muted)', borderRight: '1px solid var(--border)' },
  '.cm-activeLine': { backgroundColor: 'var(--editor-active)' },
  '.cm-activeLineGutter': { backgroundColor: 'var(--editor-active)' },
});

/** One Dark's line numbers are 3.9:1 on its background; they are diagnostic targets: >= 4.5:1. */
const darkTheme: Extension = [Prec.highest(EditorView.theme({ '.cm-gutters': { color: '#a3abb9' }, '.cm-activeLineGutter': { color: '#d7dae0' } }, { dark: true })), oneDark];

const baseTheme = EditorView.theme({
  '&': { height: '100%', fontSize: '14px' },
  '.cm-scroller': { fontFamily: 'var(--mono)', lineHeight: '1.55' },
  '&.cm-focused': { outline: 'none' },
});

/**
 * Read-only: no edits, but still focusable, so that the keyboard can move, select and copy, and
 * Ctrl+A selects the file rather than the whole page. Announced as read-only.
 */
const readOnlyExt = (on: boolean): Extension => [EditorState.readOnly.of(on), on ? EditorView.contentAttributes.of({ 'aria-readonly': 'true' }) : []];

export function CodeEditor(props: CodeEditorProps) {
  const host = useRef<HTMLDivElement>(null);
  const view = useRef<EditorView | null>(null);
  const states = useRef(new Map<string, EditorState>());
  const currentKey = useRef<string>(props.docKey);
  const compartments = useRef({ lang: new Compartment(), theme: new Compartment(), readOnly: new Compartment() });
  // Callbacks through a ref: the editor's extensions are built once.
  const latest = useRef(props);
  latest.current = props;
  // The editor keeps Tab for indenting; this says how to leave it (CodeMirror: Esc, then Tab).
  const hintId = `editor-hint-${useId().replace(/:/g, '')}`;

  const makeState = (doc: string): EditorState => {
    const c = compartments.current;
    const extensions: Extension[] = [
      Prec.highest(
        keymap.of([
          { key: 'Mod-Enter', preventDefault: true, run: () => (latest.current.onRun?.(), true) },
          { key: 'Mod-s', preventDefault: true, run: () => (latest.current.onSave?.(), true) },
        ]),
      ),
      basicSetup,
      keymap.of([indentWithTab]),
      lintGutter(),
      baseTheme,
      c.lang.of([]),
      c.theme.of(latest.current.theme === 'dark' ? darkTheme : lightTheme),
      c.readOnly.of(readOnlyExt(!!latest.current.readOnly)),
      EditorView.contentAttributes.of({ 'aria-label': latest.current.label, 'aria-describedby': hintId }),
      EditorView.updateListener.of((u) => {
        if (u.docChanged) latest.current.onChange(u.state.doc.toString());
      }),
    ];
    return EditorState.create({ doc, extensions });
  };

  // Create the view once.
  useEffect(() => {
    const v = new EditorView({ state: makeState(props.value), parent: host.current! });
    view.current = v;
    return () => {
      v.destroy();
      view.current = null;
    };
    // eslint-disable-next-line react-hooks/exhaustive-deps
  }, []);

  // Switch documents (tabs), keeping each one's state.
  useEffect(() => {
    const v = view.current;
    if (!v || currentKey.current === props.docKey) return;
    states.current.set(currentKey.current, v.state);
    currentKey.current = props.docKey;
    const saved = states.current.get(props.docKey);
    v.setState(saved && saved.doc.toString() === props.value ? saved : makeState(props.value));
    applyCompartments(v);
    // eslint-disable-next-line react-hooks/exhaustive-deps
  }, [props.docKey]);

  // A value set from outside (loaded, reset to the starter): replace the document.
  useEffect(() => {
    const v = view.current;
    if (!v) return;
    const doc = v.state.doc.toString();
    if (doc !== props.value) v.dispatch({ changes: { from: 0, to: doc.length, insert: props.value } });
  }, [props.value]);

  const applyCompartments = (v: EditorView) => {
    const c = compartments.current;
    const p = latest.current;
    v.dispatch({
      effects: [
        c.theme.reconfigure(p.theme === 'dark' ? darkTheme : lightTheme),
        c.readOnly.reconfigure(readOnlyExt(!!p.readOnly)),
      ],
    });
    let cancelled = false;
    languageExtension(p.language).then(
      (ext) => {
        if (!cancelled && view.current === v) v.dispatch({ effects: c.lang.reconfigure(ext) });
      },
      () => undefined,
    );
    return () => {
      cancelled = true;
    };
  };

  useEffect(() => {
    const v = view.current;
    if (v) return applyCompartments(v);
    // eslint-disable-next-line react-hooks/exhaustive-deps
  }, [props.language, props.theme, props.readOnly, props.docKey]);

  // Diagnostics from the last run, as gutter marks and underlines.
  useEffect(() => {
    const v = view.current;
    if (!v) return;
    const doc = v.state.doc;
    const marks: CmDiagnostic[] = (props.diagnostics ?? [])
      .filter((d) => d.line >= 1 && d.line <= doc.lines)
      .map((d) => {
        const line = doc.line(d.line);
        const from = Math.min(line.to, line.from + Math.max(0, (d.column ?? 1) - 1));
        return { from, to: d.column ? Math.min(line.to, from + 1) || line.to : line.to, severity: d.severity, message: d.message };
      });
    v.dispatch(setDiagnostics(v.state, marks));
  }, [props.diagnostics, props.docKey]);

  return (
    <div className="editor-wrap">
      <div className="editor-host" ref={host} data-testid="editor" />
      <p id={hintId} className="editor-hint" data-testid="editor-hint">
        {props.readOnly ? '' : 'Tab indents. '}To leave the editor with the keyboard, press <kbd>Esc</kbd> then <kbd>Tab</kbd>.
      </p>
    </div>
  );
}

/** Moves the cursor to a line and focuses the editor (from a diagnostic's "line N" link). */
export function focusLine(container: HTMLElement | null, line: number): void {
  const dom = container?.querySelector('.cm-editor');
  const v = dom ? EditorView.findFromDOM(dom as HTMLElement) : null;
  if (!v) return;
  const l = v.state.doc.line(Math.min(Math.max(1, line), v.state.doc.lines));
  v.dispatch({ selection: { anchor: l.from }, scrollIntoView: true });
  v.focus();
}
