import fs from 'node:fs';
import path from 'node:path';
import { describe, expect, it } from 'vitest';
import type { ClusterCosts } from '../../bench/cluster-costs.js';
import { allenCunneen, model, plot, simulate } from '../../bench/queue-model.js';

/** The queue model of docs/scaling.md: checked against queueing theory, and its plot against its data. */
describe('queue model (bench/queue-model.ts)', () => {
  it('agrees with M/M/1 and M/M/c theory on exponential service times', () => {
    // Exponential samples with mean 100 ms from a fixed sequence (inverse CDF on a grid).
    const n = 20_000;
    const samples = Array.from({ length: n }, (_, i) => -Math.log(1 - (i + 0.5) / n) * 100);
    // M/M/1 at ρ = 0.5: Wq = ρ / (μ - λ) = 0.5 / (10 - 5) s = 100 ms.
    expect(allenCunneen(5, 1, 100, 1)).toBeCloseTo(100, 6);
    const one = simulate(5, 1, samples, 200_000, 3);
    expect(one.rho).toBeCloseTo(0.5, 2);
    expect(one.meanWaitMs).toBeGreaterThan(90);
    expect(one.meanWaitMs).toBeLessThan(110);
    // M/M/4 at ρ = 0.75 (Erlang C = 0.5094): Wq = C / (cμ - λ) = 0.5094 / 10 s ≈ 50.9 ms.
    expect(allenCunneen(30, 4, 100, 1)).toBeCloseTo(50.94, 1);
    const four = simulate(30, 4, samples, 200_000, 5);
    expect(Math.abs(four.meanWaitMs - 50.94) / 50.94).toBeLessThan(0.12);
    // More slots, less wait; an unstable queue has no finite approximation.
    expect(simulate(30, 6, samples, 50_000, 5).meanWaitMs).toBeLessThan(four.meanWaitMs);
    expect(allenCunneen(50, 4, 100, 1)).toBe(Infinity);
  });

  it('the checked-in plot is the one the script draws from the checked-in measurements', () => {
    const docs = path.resolve(import.meta.dirname, '../../docs');
    const costs = JSON.parse(fs.readFileSync(path.join(docs, 'scaling-costs.json'), 'utf8')) as ClusterCosts;
    expect(costs.engine.samplesMs.length).toBe(costs.engine.runs);
    const { meanMs, series } = model(costs, [10, 50, 200]);
    expect(fs.readFileSync(path.join(docs, 'scaling-queue-wait.svg'), 'utf8')).toBe(plot(series, meanMs));
    const scaling = fs.readFileSync(path.join(docs, 'scaling.md'), 'utf8');
    expect(scaling).toContain(`${Math.round(meanMs)} ms per-slot cost`);
  });
});
