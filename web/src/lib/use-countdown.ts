/** Seconds left until `until` (epoch ms), updated live; 0 once it has passed (or without one). */
import { useEffect, useState } from 'react';

export function secondsLeft(until: number | null | undefined, now: number): number {
  return until ? Math.max(0, Math.ceil((until - now) / 1000)) : 0;
}

export function useCountdown(until: number | null | undefined): number {
  const [now, setNow] = useState(() => Date.now());
  const left = secondsLeft(until, now);
  useEffect(() => {
    setNow(Date.now());
    if (!until || until <= Date.now()) return;
    const t = setInterval(() => {
      const n = Date.now();
      setNow(n);
      if (n >= until) clearInterval(t);
    }, 250);
    return () => clearInterval(t);
  }, [until]);
  return left;
}
