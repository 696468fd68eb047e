/** The duel leaderboard: the top players by rating (GET /leaderboard/top). */
import { useQuery } from '@tanstack/react-query';
import type { LeaderboardEntry } from '../../api/duel-types';
import { api } from '../../api/session';
import { Empty, ErrorNote, Spinner, useTitle } from '../../components/common';

export default function Leaderboard() {
  useTitle('Leaderboard');
  const top = useQuery({ queryKey: ['leaderboard'], queryFn: () => api.get<LeaderboardEntry[]>('/leaderboard/top'), refetchInterval: 15_000 });
  return (
    <div className="page">
      <h1>Leaderboard</h1>
      <p className="muted small">Duel ratings (Glicko-2). A ? marks a provisional rating (few duels yet).</p>
      {top.isPending && <Spinner label="Loading the leaderboard…" />}
      <ErrorNote error={top.error} onRetry={() => void top.refetch()} />
      {top.data && top.data.length === 0 && <Empty>No rated duels yet.</Empty>}
      {top.data && top.data.length > 0 && (
        <table className="table" data-testid="leaderboard">
          <thead>
            <tr>
              <th>#</th>
              <th>Player</th>
              <th>Rating</th>
              <th>Duels</th>
              <th>W / L / D</th>
            </tr>
          </thead>
          <tbody>
            {top.data.map((e) => (
              <tr key={e.id} data-testid="leaderboard-row" data-user={e.username}>
                <td>{e.rank}</td>
                <td>{e.username}</td>
                <td data-testid="leaderboard-rating">
                  {e.rating}
                  {e.provisional ? '?' : ''}
                </td>
                <td>{e.games}</td>
                <td>
                  {e.wins} / {e.losses} / {e.draws}
                </td>
              </tr>
            ))}
          </tbody>
        </table>
      )}
    </div>
  );
}
