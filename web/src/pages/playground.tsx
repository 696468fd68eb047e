/**
 * The playground: pick a language, type, Run (Ctrl/Cmd+Enter), watch the output stream in.
 * Works without an account when the server allows anonymous runs; otherwise Run explains how
 * to sign in. The draft survives a reload.
 */
import { useQuery } from '@tanstack/react-query';
import { useCallback, useEffect, useMemo, useRef, useState } from 'react';
import { api, executionSocket } from '../api/session';
import type { Language, LanguagesResponse, Limits, QueuedReceipt } from '../api/types';
import { CodeEditor, focusLine } from '../components/code-editor';
import { ErrorNote, Spinner, useTitle } from '../components/common';
import { diagnosticsOf, OutputPanel, ResultBar, RunButton } from '../components/run-output';
import { OutputFiles } from '../components/output-files';
import { RunConsole } from '../components/run-console';
import { parseGlobList } from '../lib/artifacts';
import { splitArgs } from '../lib/diagnostics';
import { loadDraft, type PlaygroundDraft, saveDraft } from '../lib/playground-storage';
import { isActive } from '../lib/run-state';
import { starterFor } from '../lib/starters';
import { useRun } from '../lib/use-run';
import { useTheme } from '../theme';

/**
 * The wall-clock limit a run gets: the server's default, or, when a CPU limit is typed, 2 x CPU
 * + 1 s capped at the maximum (src/engine/limits.ts, resolveLimits).
 */
export function wallLimitSeconds(cpuInput: string, run: { defaults: { wallMs: number }; max: { wallMs: number } } | undefined): number | null {
  if (!run) return null;
  const cpu = Number.parseFloat(cpuInput);
  const ms = Number.isFinite(cpu) && cpu > 0 ? Math.min(2 * Math.round(cpu * 1000) + 1000, run.max.wallMs) : run.defaults.wallMs;
  return Math.round(ms / 100) / 10;
}

/** The languages (GET /languages answers the array, as the first seed) with the limits (GET /limits). */
export function useLanguages() {
  return useQuery({
    queryKey: ['languages'],
    queryFn: async (): Promise<LanguagesResponse> => {
      const [languages, limits] = await Promise.all([api.get<Language[]>('/languages'), api.get<Limits>('/limits')]);
      return { languages, limits };
    },
    staleTime: 5 * 60_000,
  });
}

export const isMac = typeof navigator !== 'undefined' && /Mac|iPhone|iPad/.test(navigator.platform || navigator.userAgent);
export const MOD = isMac ? '⌘' : 'Ctrl';

export default function Playground() {
  const languages = useLanguages();
  const [theme] = useTheme();
  useTitle('Playground');
  const [draft, setDraft] = useState<PlaygroundDraft>(loadDraft);
  const { state, run, stop } = useRun();
  const editorBox = useRef<HTMLDivElement>(null);
  const running = isActive(state);

  // The socket is opened now, so that Run pays no handshake.
  useEffect(() => {
    executionSocket.connect();
  }, []);

  // Saved a moment after the last change, and when the page goes away.
  const latest = useRef(draft);
  latest.current = draft;
  useEffect(() => {
    const t = setTimeout(() => saveDraft(draft), 250);
    return () => clearTimeout(t);
  }, [draft]);
  useEffect(() => {
    const save = () => saveDraft(latest.current);
    window.addEventListener('pagehide', save);
    return () => {
      window.removeEventListener('pagehide', save);
      save();
    };
  }, []);

  const language = draft.language;
  const code = draft.code[language] ?? starterFor(language);
  const langInfo = languages.data?.languages.find((l) => l.id === language);
  const maxCpuS = (languages.data?.limits.run.max.cpuMs ?? 15000) / 1000;
  const wallS = wallLimitSeconds(draft.timeLimit, languages.data?.limits.run);

  // A refused run's wait: checked when Run is pressed (the countdown does not re-render this page).
  const retryAt = state.error?.retryAt ?? 0;
  const onRun = useCallback(() => {
    if (running || retryAt > Date.now()) return;
    const d = latest.current;
    const src = d.code[d.language] ?? starterFor(d.language);
    const timeout = Number.parseFloat(d.timeLimit);
    const globs = d.showFiles ? parseGlobList(d.outputGlobs) : [];
    void run(() =>
      api.post<QueuedReceipt>('/execute', {
        language: d.language,
        code: src,
        stdin: d.stdin,
        args: splitArgs(d.args),
        ...(Number.isFinite(timeout) && timeout > 0 ? { timeout } : {}),
        ...(globs.length ? { outputFiles: globs } : {}),
        ...(d.timeline ? { timeline: true } : {}),
        ...(d.interactive ? { interactive: true, tty: true } : {}),
      }),
    );
  }, [run, running, retryAt]);

  // Ctrl/Cmd+Enter from anywhere on the page (stdin box, args...), not only the editor.
  useEffect(() => {
    const onKey = (e: KeyboardEvent) => {
      if (e.key === 'Enter' && (e.ctrlKey || e.metaKey) && !e.defaultPrevented) {
        e.preventDefault();
        onRun();
      }
    };
    window.addEventListener('keydown', onKey);
    return () => window.removeEventListener('keydown', onKey);
  }, [onRun]);

  const diagnostics = useMemo(() => diagnosticsOf(state), [state]);
  const update = (patch: Partial<PlaygroundDraft>) => setDraft((d) => ({ ...d, ...patch }));

  return (
    <div className="playground">
      <p className="intro" data-testid="intro">
        Write a program in one of {languages.data?.languages.length ?? 'ten'} languages and run it on the server, no account needed. Sign in to keep{' '}
        your code in projects and share them.
      </p>
      <section className="pane editor-pane" aria-label="Editor">
        <div className="toolbar">
          <label className="field-inline">
            <span>Language</span>
            {languages.isPending ? (
              <Spinner label="Loading languages…" />
            ) : (
              <select
                value={language}
                onChange={(e) => update({ language: e.target.value })}
                data-testid="language"
                aria-describedby="lang-version"
              >
                {(languages.data?.languages ?? []).map((l) => (
                  <option key={l.id} value={l.id} disabled={!l.available}>
                    {l.name}
                    {l.version ? ` (${l.version})` : ''}
                    {l.available ? '' : ' (unavailable)'}
                  </option>
                ))}
                {!languages.data && <option value={language}>{language}</option>}
              </select>
            )}
          </label>
          <span id="lang-version" className="muted small">
            {langInfo?.compiled ? 'compiled' : langInfo ? 'interpreted' : ''}
          </span>
          <div className="spacer" />
          <button
            type="button"
            className="btn"
            onClick={() => {
              if (confirm('Replace your code with the starter program?')) update({ code: { ...draft.code, [language]: starterFor(language) } });
            }}
          >
            Reset
          </button>
          <RunButton state={state} onRun={onRun} onStop={() => void stop()} kbd={`${MOD}+Enter`} />
        </div>
        {languages.isError && <ErrorNote error={languages.error} onRetry={() => void languages.refetch()} />}
        <div className="editor-box" ref={editorBox}>
          <CodeEditor
            docKey={`playground:${language}`}
            value={code}
            language={language}
            theme={theme}
            label={`${langInfo?.name ?? language} source code`}
            onChange={(v) => setDraft((d) => ({ ...d, code: { ...d.code, [d.language]: v } }))}
            onRun={onRun}
            diagnostics={diagnostics}
          />
        </div>
      </section>
      <section className="pane io-pane" aria-label="Input and output">
        <div className="io-inputs">
          <div className="field">
            <label htmlFor="stdin">Standard input</label>
            <textarea id="stdin" rows={3} value={draft.stdin} onChange={(e) => update({ stdin: e.target.value })} spellCheck={false} />
          </div>
          <div className="field-row">
            <div className="field grow">
              <label htmlFor="args">Arguments</label>
              <input id="args" value={draft.args} onChange={(e) => update({ args: e.target.value })} placeholder={'--verbose "two words"'} spellCheck={false} />
            </div>
            <div className="field">
              <label htmlFor="time-limit">CPU limit (s)</label>
              <input
                id="time-limit"
                type="number"
                min={0.1}
                max={maxCpuS}
                step={0.5}
                value={draft.timeLimit}
                placeholder={String((languages.data?.limits.run.defaults.cpuMs ?? 5000) / 1000)}
                onChange={(e) => update({ timeLimit: e.target.value })}
                aria-describedby="wall-limit"
              />
              <small id="wall-limit" className="muted" data-testid="wall-limit">
                {wallS !== null ? `wall-clock limit ${wallS} s` : ''}
              </small>
            </div>
          </div>
          <div className="field-row">
            <label className="field-inline">
              <input type="checkbox" checked={draft.showFiles} onChange={(e) => update({ showFiles: e.target.checked })} data-testid="show-files" />
              <span>Show files</span>
            </label>
            {draft.showFiles && (
              <input
                className="grow"
                aria-label="Output file patterns"
                value={draft.outputGlobs}
                onChange={(e) => update({ outputGlobs: e.target.value })}
                placeholder="*.png, out/*.csv"
                spellCheck={false}
                data-testid="output-globs"
              />
            )}
            <label className="field-inline" title="Keep the program's input open and type into it while it runs (a terminal on the server)">
              <input type="checkbox" checked={draft.interactive} onChange={(e) => update({ interactive: e.target.checked })} data-testid="interactive" />
              <span>Interactive</span>
            </label>
            <label className="field-inline">
              <input type="checkbox" checked={draft.timeline} onChange={(e) => update({ timeline: e.target.checked })} data-testid="ask-timeline" />
              <span>Timeline</span>
            </label>
          </div>
        </div>
        <OutputPanel state={state} onLine={(d) => focusLine(editorBox.current, d.line)} />
        {draft.interactive && running && state.executionId && <RunConsole key={state.executionId} executionId={state.executionId} />}
        <OutputFiles result={state.result} />
        <ResultBar state={state} />
      </section>
    </div>
  );
}
