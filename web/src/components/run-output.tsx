/**
 * The output panel (stdout and stderr as they arrive, stderr visibly distinct), compile errors
 * with their line numbers, and the result bar (verdict, exit code, CPU, wall, memory).
 */
import { useEffect, useMemo, useRef } from 'react';
import { Link } from 'react-router';
import { parseDiagnostics, type Diagnostic } from '../lib/diagnostics';
import { isActive, type RunState, summarize } from '../lib/run-state';
import { formatKb, formatMs, VerdictBadge } from './common';

export function diagnosticsOf(state: RunState): Diagnostic[] {
  const r = state.result;
  if (!r) return [];
  if (r.compilationError) return parseDiagnostics(r.compilationError);
  if (r.verdict === 'runtime_error') return parseDiagnostics(r.error);
  return [];
}

export function OutputPanel({ state, onLine, idleHint }: { state: RunState; onLine?: (d: Diagnostic) => void; idleHint?: string }) {
  const pre = useRef<HTMLPreElement>(null);
  const stick = useRef(true);
  const diagnostics = useMemo(() => diagnosticsOf(state), [state]);

  // Follow the output while the user has not scrolled up.
  useEffect(() => {
    const el = pre.current;
    if (el && stick.current) el.scrollTop = el.scrollHeight;
  }, [state.chunks]);

  const r = state.result;
  const compileFailed = !!r?.compilationError;
  const needsSignIn = state.error?.code === 'UNAUTHORIZED';
  return (
    <section className="output" aria-label="Output">
      <div className="output-head">
        <h2>Output</h2>
        <span className="run-status" data-testid="run-status" data-phase={state.phase} data-execution={state.executionId ?? ''}>
          {state.phase === 'starting' && 'Starting…'}
          {state.phase === 'queued' && 'Queued…'}
          {state.phase === 'running' && 'Running…'}
          {state.phase === 'done' && (state.status ?? 'done')}
          {state.phase === 'error' && 'error'}
        </span>
      </div>
      {state.error && (
        <div className="note note-error" role="alert" data-testid="run-error">
          {needsSignIn ? (
            <>
              Running code needs an account on this server. <Link to="/login">Sign in</Link> or <Link to="/register">create an account</Link>.
            </>
          ) : (
            state.error.message
          )}
        </div>
      )}
      {compileFailed && (
        <div className="compile-error" role="alert" data-testid="compile-error">
          <strong>Compilation failed</strong>
          {diagnostics.length > 0 && (
            <ul className="diagnostics">
              {diagnostics.map((d, i) => (
                <li key={i}>
                  <button type="button" className="linklike" onClick={() => onLine?.(d)}>
                    {d.file ? `${d.file}, ` : ''}line {d.line}
                    {d.column ? `:${d.column}` : ''}
                  </button>{' '}
                  <span className={`sev-${d.severity}`}>{d.message}</span>
                </li>
              ))}
            </ul>
          )}
          <pre className="compiler-output">{r!.compilationError}</pre>
        </div>
      )}
      {!compileFailed && diagnostics.length > 0 && (
        <ul className="diagnostics" aria-label="Error locations">
          {diagnostics.map((d, i) => (
            <li key={i}>
              <button type="button" className="linklike" onClick={() => onLine?.(d)}>
                line {d.line}
              </button>{' '}
              <span className="sev-error">{d.message}</span>
            </li>
          ))}
        </ul>
      )}
      <pre
        className="stream"
        ref={pre}
        role="log"
        aria-live="polite"
        data-testid="output"
        onScroll={(e) => {
          const el = e.currentTarget;
          stick.current = el.scrollTop + el.clientHeight >= el.scrollHeight - 8;
        }}
      >
        {state.chunks.map((c, i) => (
          <span key={i} className={`out-${c.stream}`} data-stream={c.stream}>
            {c.text}
          </span>
        ))}
        {state.phase === 'idle' && <span className="placeholder">{idleHint ?? 'Press Run (Ctrl+Enter) to see the output here.'}</span>}
        {state.phase === 'done' && state.chunks.length === 0 && !compileFailed && <span className="placeholder">(no output)</span>}
      </pre>
      {state.droppedChars > 0 && (
        <p className="muted small">{state.droppedChars.toLocaleString()} more characters are not shown here.</p>
      )}
      {r?.truncated && <p className="muted small">The program's output went past the output limit and was cut.</p>}
    </section>
  );
}

export function ResultBar({ state }: { state: RunState }) {
  const s = summarize(state.result);
  return (
    <div className="result-bar" data-testid="result-bar" aria-live="polite">
      {s ? (
        <>
          <span>
            <VerdictBadge verdict={s.verdict} />
          </span>
          <span>
            exit <b data-testid="exit-code">{s.exitCode ?? (s.signal ? s.signal : '–')}</b>
          </span>
          <span>
            CPU <b data-testid="cpu-time">{formatMs(s.cpuMs)}</b>
          </span>
          <span>
            wall <b data-testid="wall-time">{formatMs(s.wallMs)}</b>
          </span>
          <span>
            memory <b data-testid="memory">{formatKb(s.memoryKb)}</b>
          </span>
        </>
      ) : (
        <span className="muted">{isActive(state) ? 'Running…' : 'No result yet'}</span>
      )}
    </div>
  );
}
