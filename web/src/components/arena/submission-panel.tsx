/**
 * A submission as it is judged: status and verdict, the per-test table (filling in live), the
 * compiler's output on CE, the groups and score of a scoring problem, and for a failed sample or
 * public test the diff of expected against got, line by line.
 */
import { useState } from 'react';
import type { SubmissionGroupView, SubmissionTestView } from '../../api/arena-types';
import { diffOutputs, visibleWhitespace } from '../../lib/arena/output-diff';
import { type SubmissionLive, tableRows } from '../../lib/arena/submission-live';
import { formatScore, statusLabel, testMessage, VERDICT_LABELS } from '../../lib/arena/verdicts';
import { formatKb, formatMs } from '../common';
import { ArenaVerdict } from './badges';

export function DiffView({ expected, got, truncated }: { expected: string; got: string; truncated?: boolean }) {
  const d = diffOutputs(expected, got);
  return (
    <div className="diff" data-testid="diff">
      <p className="small muted">
        {d.firstDifference === null ? 'The outputs are the same line by line' : `First difference at line ${d.firstDifference}`}
        {d.trailingNewlineDiffers ? ' (and one ends with a newline, the other does not)' : ''}
        {truncated ? '. The outputs were cut to 64 KiB.' : '.'}
      </p>
      <div className="table-wrap">
        <table className="table diff-table">
          <caption className="sr-only">Expected output against your output, line by line</caption>
          <thead>
            <tr>
              <th scope="col">Line</th>
              <th scope="col">Expected</th>
              <th scope="col">Your output</th>
            </tr>
          </thead>
          <tbody>
            {d.rows.map((r) => (
              <tr key={r.line} className={r.same ? 'diff-same' : 'diff-changed'} data-testid="diff-row" data-same={r.same}>
                <td className="num">{r.line}</td>
                <td className="mono">{r.expected === null ? <em className="muted">(no line)</em> : visibleWhitespace(r.expected)}</td>
                <td className="mono">
                  {r.got === null ? <em className="muted">(no line)</em> : <Marked text={visibleWhitespace(r.got)} at={r.same ? null : r.column} />}
                  {r.whitespaceOnly && <span className="small muted"> (whitespace only)</span>}
                </td>
              </tr>
            ))}
          </tbody>
        </table>
      </div>
      {d.omitted > 0 && <p className="small muted">{d.omitted} more lines not shown.</p>}
    </div>
  );
}

/** The got line with the first differing character marked. */
function Marked({ text, at }: { text: string; at: number | null }) {
  if (at === null || at >= text.length) return <>{text}</>;
  return (
    <>
      {text.slice(0, at)}
      <mark>{text.slice(at)}</mark>
    </>
  );
}

function TestRow({ t, openDiff }: { t: SubmissionTestView; openDiff: boolean }) {
  // Open by default once the row is the first wrong answer (it is pending at first); then the user's choice.
  const [chosen, setOpen] = useState<boolean | null>(null);
  const open = chosen ?? openDiff;
  const failed = t.verdict !== 'AC' && t.verdict !== 'pending' && t.verdict !== 'SK';
  // Sample and public tests carry their data and the program's output; hidden ones none.
  const canDiff = failed && t.expected !== undefined && t.output !== undefined;
  const msg = t.verdict === 'pending' ? '' : testMessage(t);
  return (
    <>
      <tr data-testid="test-row" data-index={t.index} data-verdict={t.verdict} data-visibility={t.visibility}>
        <td className="num">{t.index}</td>
        <td>
          {t.name || <span className="muted">…</span>}
          {t.visibility !== 'hidden' && t.name && <span className="small muted"> ({t.visibility})</span>}
        </td>
        <td>
          <ArenaVerdict verdict={t.verdict} />
        </td>
        <td className="num">{formatMs(t.cpuMs)}</td>
        <td className="num">{formatKb(t.memoryKb)}</td>
        <td className="test-msg" data-testid="test-message">
          {msg}
        </td>
      </tr>
      {canDiff && (
        <tr className="diff-row">
          <td colSpan={6}>
            <details open={open} onToggle={(e) => setOpen((e.currentTarget as HTMLDetailsElement).open)}>
              <summary>Expected against your output</summary>
              {open && (
                <>
                  {t.input !== undefined && (
                    <div className="small">
                      <strong>Input</strong>
                      <pre className="sample-pre">{t.input}</pre>
                    </div>
                  )}
                  <DiffView expected={t.expected ?? ''} got={t.output ?? ''} truncated={t.truncated} />
                </>
              )}
            </details>
          </td>
        </tr>
      )}
    </>
  );
}

function Groups({ groups }: { groups: SubmissionGroupView[] }) {
  return (
    <div className="table-wrap">
      <table className="table" data-testid="groups">
        <caption>Groups</caption>
        <thead>
          <tr>
            <th scope="col">Group</th>
            <th scope="col">Verdict</th>
            <th scope="col">Score</th>
          </tr>
        </thead>
        <tbody>
          {groups.map((g) => (
            <tr key={g.path}>
              <td>{g.path}</td>
              <td>
                <ArenaVerdict verdict={g.verdict} />
              </td>
              <td className="num">{formatScore(g.score, g.maxScore)}</td>
            </tr>
          ))}
        </tbody>
      </table>
    </div>
  );
}

export function SubmissionPanel({ live, scoring }: { live: SubmissionLive; scoring: boolean }) {
  const view = live.view;
  const rows = tableRows(live);
  const verdict = live.final ? (view?.verdict ?? null) : null;
  const isRun = view?.kind === 'run';
  // A wrong answer's diff opens by itself; other failures' (a crash, a time limit) on demand.
  const firstFailedIndex = rows.find((t) => t.verdict === 'WA' && t.expected !== undefined)?.index;
  return (
    <section className="submission-panel" aria-label={isRun ? 'Run on the samples' : 'Submission'} data-testid="submission" data-id={live.id ?? ''} data-status={live.status ?? ''} data-final={live.final}>
      <div className="submission-head" role="status" aria-live="polite">
        <strong>{isRun ? 'Run on the samples' : 'Submission'}</strong>
        <span data-testid="submission-status">{live.final ? (verdict ? (VERDICT_LABELS[verdict] ?? verdict) : statusLabel(live.status)) : `${statusLabel(live.status)}…`}</span>
        {verdict && <ArenaVerdict verdict={verdict} testid="submission-verdict" />}
        {live.testsTotal > 0 && (
          <span className="muted small" data-testid="tests-done">
            {live.testsDone} / {live.testsTotal} tests
          </span>
        )}
        {view?.queuePosition != null && live.status === 'queued' && <span className="muted small">position {view.queuePosition} in the queue</span>}
        {scoring && !isRun && view && live.final && (
          <span data-testid="submission-score">
            Score <strong>{formatScore(view.score, view.maxScore)}</strong>
          </span>
        )}
      </div>
      {live.error && (
        <p className="note note-error" role="alert" data-testid="judge-error">
          The judge could not finish: {live.error.message}
        </p>
      )}
      {live.final && view?.firstFailure && verdict !== 'CE' && <p className="small">First failing test: {view.firstFailure}</p>}
      {view?.compileMessage && (
        <div className="compile-error">
          <strong>Compiler output</strong>
          <pre className="compiler-output" data-testid="compile-output">
            {view.compileMessage}
          </pre>
        </div>
      )}
      {rows.length > 0 && (
        <div className="table-wrap">
          <table className="table tests-table" data-testid="tests">
            <caption className="sr-only">Tests</caption>
            <thead>
              <tr>
                <th scope="col">#</th>
                <th scope="col">Test</th>
                <th scope="col">Verdict</th>
                <th scope="col">CPU</th>
                <th scope="col">Memory</th>
                <th scope="col">Message</th>
              </tr>
            </thead>
            <tbody>
              {rows.map((t) => (
                <TestRow key={t.index} t={t} openDiff={t.index === firstFailedIndex} />
              ))}
            </tbody>
          </table>
        </div>
      )}
      {scoring && view && view.groups.length > 0 && live.final && !isRun && <Groups groups={view.groups} />}
    </section>
  );
}
