/** A small SVG line chart of a rating history (the profile page). No chart library: one path. */
import type { RatingProfile } from '../../api/duel-types';

export function RatingChart({ profile }: { profile: RatingProfile }) {
  const points = [{ rating: 1500, at: '' }, ...profile.history.map((h) => ({ rating: h.rating, at: h.at }))];
  if (profile.history.length === 0) return <p className="muted small" data-testid="rating-chart-empty">No duels yet: everyone starts at 1500.</p>;
  const w = 480;
  const h = 160;
  const pad = 24;
  const lo = Math.min(...points.map((p) => p.rating)) - 20;
  const hi = Math.max(...points.map((p) => p.rating)) + 20;
  const x = (i: number) => pad + (i * (w - 2 * pad)) / Math.max(1, points.length - 1);
  const y = (r: number) => h - pad - ((r - lo) * (h - 2 * pad)) / Math.max(1, hi - lo);
  const d = points.map((p, i) => `${i === 0 ? 'M' : 'L'}${x(i).toFixed(1)},${y(p.rating).toFixed(1)}`).join(' ');
  return (
    <figure className="rating-chart" data-testid="rating-chart">
      <svg viewBox={`0 0 ${w} ${h}`} role="img" aria-label={`Rating history: ${points.map((p) => Math.round(p.rating)).join(', ')}`} width="100%">
        <line x1={pad} x2={w - pad} y1={y(1500)} y2={y(1500)} stroke="currentColor" strokeOpacity={0.2} strokeDasharray="4 4" />
        <path d={d} fill="none" stroke="var(--accent, #3b82f6)" strokeWidth={2} />
        {points.map((p, i) => (
          <circle key={i} cx={x(i)} cy={y(p.rating)} r={3} fill="var(--accent, #3b82f6)">
            <title>{`${Math.round(p.rating)}${p.at ? ` · ${new Date(p.at).toLocaleString()}` : ''}`}</title>
          </circle>
        ))}
        <text x={pad} y={12} fontSize={11} fill="currentColor">
          {Math.round(hi)}
        </text>
        <text x={pad} y={h - 6} fontSize={11} fill="currentColor">
          {Math.round(lo)}
        </text>
      </svg>
      <figcaption className="small muted">
        Rating {Math.round(profile.rating)}
        {profile.provisional ? '?' : ''} ± {Math.round(profile.rd * 2)} after {profile.games} duels
      </figcaption>
    </figure>
  );
}
