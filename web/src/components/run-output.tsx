/**
 * The output panel (stdout and stderr as they arrive, stderr visibly distinct, ANSI colours
 * rendered), compile errors with their line numbers, the result bar (verdict, exit code, CPU,
 * wall, memory), the Run/Stop button (off while a refused run's wait counts down), and the
 * notices: connection lost, rate limit, output cut.
 */
import { type CSSProperties, type ReactNode, useEffect, useMemo, useRef, useState } from 'react';
import { Link } from 'react-router';
import { api } from '../api/session';
import type { Execution } from '../api/types';
import { useAuth } from '../auth';
import { type AnsiStyle, hasEscapes, parseAnsi, PLAIN, stripAnsi } from '../lib/ansi';
import { parseDiagnostics, type Diagnostic } from '../lib/diagnostics';
import { formatWait } from '../lib/retry-after';
import { type Chunk, isActive, MAX_VIEW_CHARS, type RunState, summarize } from '../lib/run-state';
import { useCountdown } from '../lib/use-countdown';
import { formatKb, formatMs, VERDICT_TEXT, VerdictBadge } from './common';
import { TimelineChartView } from './output-files';

/** The status line agrees with the badge: the verdict's words once there is one. */
export function statusText(state: RunState): string {
  switch (state.phase) {
    case 'idle':
      return '';
    case 'starting':
      return 'Starting…';
    case 'queued':
      return 'Queued…';
    case 'running':
      return 'Running…';
    case 'error':
      return state.error?.retryAt ? 'not started' : 'error';
    case 'done': {
      const s = summarize(state.result);
      if (!s) return state.status ?? 'done';
      return s.verdict === 'ok' ? 'finished' : (VERDICT_TEXT[s.verdict] ?? s.verdict);
    }
  }
}

function styleOf(st: AnsiStyle): { className?: string; style?: CSSProperties } {
  let fg = st.fg;
  let bg = st.bg;
  const cls: string[] = [];
  if (st.inverse) {
    [fg, bg] = [bg ?? 'inv-bg', fg ?? 'inv-fg'];
  }
  const style: CSSProperties = {};
  const color = (c: number | string | undefined, kind: 'fg' | 'bg') => {
    if (c === undefined) return;
    if (typeof c === 'number') cls.push(`ansi-${kind}-${c}`);
    else if (c === 'inv-bg' || c === 'inv-fg') cls.push(`ansi-${kind}-${c}`);
    else if (kind === 'fg') style.color = c;
    else style.backgroundColor = c;
  };
  color(fg, 'fg');
  color(bg, 'bg');
  if (st.bold) cls.push('ansi-bold');
  if (st.dim) cls.push('ansi-dim');
  if (st.italic) cls.push('ansi-italic');
  if (st.underline) cls.push('ansi-underline');
  return { className: cls.length ? cls.join(' ') : undefined, style: Object.keys(style).length ? style : undefined };
}

/**
 * The chunks as spans: plain text as is, text with escape sequences as styled spans (React
 * text nodes: program output is never parsed as HTML). Styles carry on within a stream.
 */
function renderChunks(chunks: Chunk[]): ReactNode[] {
  const carry: Record<string, { style: AnsiStyle; pending: string }> = {};
  return chunks.map((c, i) => {
    const prev = carry[c.stream] ?? { style: PLAIN, pending: '' };
    let body: ReactNode = c.text;
    if (prev.pending || prev.style !== PLAIN || hasEscapes(c.text)) {
      const r = parseAnsi(c.text, prev.style, prev.pending);
      carry[c.stream] = { style: r.style, pending: r.pending };
      body = r.segments.map((seg, j) => {
        if (seg.style === PLAIN || Object.keys(seg.style).length === 0) return seg.text;
        return (
          <span key={j} {...styleOf(seg.style)}>
            {seg.text}
          </span>
        );
      });
    }
    return (
      <span key={i} className={`out-${c.stream}`} data-stream={c.stream}>
        {body}
      </span>
    );
  });
}

/** The whole output (stdout, then stderr), fetched from the server when we do not have it. */
async function fullOutput(state: RunState): Promise<string> {
  let r: Execution | null = state.result;
  if (!r || r.output === null) r = await api.get<Execution>(`/execute/${state.executionId}`);
  const out = stripAnsi(r.output ?? '');
  const err = stripAnsi(r.error ?? '');
  return err ? `${out}${out && !out.endsWith('\n') ? '\n' : ''}----- stderr -----\n${err}` : out;
}

function DownloadOutput({ state }: { state: RunState }) {
  const [error, setError] = useState('');
  const [busy, setBusy] = useState(false);
  const download = async () => {
    setBusy(true);
    setError('');
    try {
      const text = await fullOutput(state);
      const url = URL.createObjectURL(new Blob([text], { type: 'text/plain;charset=utf-8' }));
      const a = document.createElement('a');
      a.href = url;
      a.download = `output-${(state.executionId ?? 'run').slice(0, 8)}.txt`;
      document.body.append(a);
      a.click();
      a.remove();
      setTimeout(() => URL.revokeObjectURL(url), 10_000);
    } catch {
      setError(' The full output could not be fetched; try again.');
    } finally {
      setBusy(false);
    }
  };
  return (
    <>
      <button type="button" className="linklike" onClick={() => void download()} disabled={busy} data-testid="download-output">
        Download full output
      </button>
      {error}
    </>
  );
}

/** A refused run: what happened, a live countdown, and for visitors how to get their own allowance. */
function RateLimitNote({ error }: { error: NonNullable<RunState['error']> }) {
  const left = useCountdown(error.retryAt);
  const { status } = useAuth();
  const what = error.limit === 'quota' ? error.message : error.limit === 'execute' ? 'You have run code many times in a short while.' : 'Too many requests in a short while.';
  return (
    <div className="note note-warn" role="status" data-testid="rate-limited" data-left={left}>
      <span>
        {what} {left > 0 ? <>Run is available again in <b data-testid="countdown">{formatWait(left)}</b>.</> : 'You can run again now.'}
      </span>
      {status === 'anonymous' && error.limit !== 'quota' && (
        <span data-testid="sign-in-for-more">
          Runs without an account share one allowance per network address. <Link to="/login">Sign in</Link> or <Link to="/register">create an account</Link> for your own.
        </span>
      )}
    </div>
  );
}

/** Run, or Stop while a run is active; off (with the wait) while a refused run counts down. */
export function RunButton({ state, onRun, onStop, kbd }: { state: RunState; onRun(): void; onStop(): void; kbd?: string }) {
  const left = useCountdown(state.error?.retryAt);
  if (isActive(state)) {
    return (
      <button type="button" className="btn btn-danger" onClick={onStop} data-testid="stop">
        ■ Stop
      </button>
    );
  }
  return (
    <button type="button" className="btn btn-primary" onClick={onRun} data-testid="run" disabled={left > 0} title={kbd ? `Run (${kbd})` : 'Run'}>
      {left > 0 ? (
        `▶ Run in ${formatWait(left)}`
      ) : (
        <>
          ▶ Run{kbd ? <> <kbd>{kbd.replace('Enter', '↵')}</kbd></> : null}
        </>
      )}
    </button>
  );
}

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
  const rendered = useMemo(() => renderChunks(state.chunks), [state.chunks]);
  const showStream = !(compileFailed && state.chunks.length === 0);
  return (
    <section className="output" aria-label="Output">
      <div className="output-head">
        <h2>Output</h2>
        <span className="run-status" data-testid="run-status" data-phase={state.phase} data-execution={state.executionId ?? ''}>
          {statusText(state)}
        </span>
      </div>
      {state.connectionLost && isActive(state) && (
        <div className="note note-warn" role="status" data-testid="connection-lost">
          <span className="spinner" aria-hidden="true" />
          <span className="grow">Connection lost, reconnecting… The program keeps running on the server.</span>
        </div>
      )}
      {state.error?.retryAt ? (
        <RateLimitNote error={state.error} />
      ) : (
        state.error && (
          <div className="note note-error" role="alert" data-testid="run-error">
            {needsSignIn ? (
              <>
                Running code needs an account on this server. <Link to="/login">Sign in</Link> or <Link to="/register">create an account</Link>.
              </>
            ) : (
              state.error.message
            )}
          </div>
        )
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
          <pre className="compiler-output">{stripAnsi(r!.compilationError ?? '')}</pre>
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
        hidden={!showStream}
        ref={pre}
        role="log"
        aria-live="polite"
        data-testid="output"
        onScroll={(e) => {
          const el = e.currentTarget;
          stick.current = el.scrollTop + el.clientHeight >= el.scrollHeight - 8;
        }}
      >
        {rendered}
        {state.phase === 'idle' && <span className="placeholder">{idleHint ?? 'Press Run (Ctrl+Enter) to see the output here.'}</span>}
        {state.phase === 'done' && state.chunks.length === 0 && !compileFailed && <span className="placeholder">(no output)</span>}
      </pre>
      {state.droppedChars > 0 && (
        <p className="muted small" data-testid="output-cut">
          Only the first {MAX_VIEW_CHARS.toLocaleString()} characters are shown: the last {state.droppedChars.toLocaleString()} characters are not shown here.{' '}
          {state.phase === 'done' && state.executionId ? <DownloadOutput state={state} /> : 'The whole output can be downloaded when the run ends.'}
        </p>
      )}
      {r?.truncated && <p className="muted small">The program's output went past the output limit and was cut.</p>}
    </section>
  );
}

export function ResultBar({ state }: { state: RunState }) {
  const s = summarize(state.result, state);
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
          <span title={s.wallMeasuredHere ? 'Measured by the browser, from the start of the run to Stop' : undefined}>
            wall{' '}
            <b data-testid="wall-time" data-measured-here={s.wallMeasuredHere || undefined}>
              {s.wallMeasuredHere ? `≈ ${formatMs(s.wallMs)}` : formatMs(s.wallMs)}
            </b>
          </span>
          <span>
            memory <b data-testid="memory">{formatKb(s.memoryKb)}</b>
          </span>
          <TimelineChartView timeline={state.result?.timeline} />
          {s.wallClockLimit && (
            <span className="result-why" data-testid="wall-limit-why">
              wall-clock limit: the program was waiting (sleep/input?), not computing
            </span>
          )}
          {s.wallMeasuredHere && (
            <span className="result-why muted" data-testid="stopped-after">
              stopped after ≈ {formatMs(s.wallMs)}
            </span>
          )}
        </>
      ) : (
        <span className="muted">{isActive(state) ? 'Running…' : 'No result yet'}</span>
      )}
    </div>
  );
}
