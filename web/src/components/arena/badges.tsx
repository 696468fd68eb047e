/** Verdict and difficulty badges of the Arena. */
import type { Difficulty } from '../../api/arena-types';
import { VERDICT_LABELS, verdictTone } from '../../lib/arena/verdicts';

/** A verdict code (AC, WA…) with its meaning as the accessible name and tooltip. */
export function ArenaVerdict({ verdict, testid }: { verdict: string | null | undefined; testid?: string }) {
  if (!verdict) return <span className="badge">–</span>;
  const label = VERDICT_LABELS[verdict] ?? verdict;
  return (
    <span className={`badge badge-${verdictTone(verdict)} verdict-code`} data-verdict={verdict} title={label} data-testid={testid}>
      <span aria-hidden="true">{verdict === 'pending' ? '…' : verdict}</span>
      <span className="sr-only">{label}</span>
    </span>
  );
}

export function DifficultyBadge({ difficulty }: { difficulty: Difficulty }) {
  return (
    <span className={`badge difficulty difficulty-${difficulty}`} data-difficulty={difficulty}>
      {difficulty}
    </span>
  );
}

export function MarkIcon({ mark }: { mark: 'solved' | 'attempted' | null }) {
  if (mark === 'solved')
    return (
      <span className="mark mark-solved" title="Solved" data-mark="solved">
        <span aria-hidden="true">✓</span>
        <span className="sr-only">Solved</span>
      </span>
    );
  if (mark === 'attempted')
    return (
      <span className="mark mark-attempted" title="Attempted, not solved yet" data-mark="attempted">
        <span aria-hidden="true">✗</span>
        <span className="sr-only">Attempted</span>
      </span>
    );
  return <span className="mark" aria-hidden="true" />;
}
