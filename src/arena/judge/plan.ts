/**
 * From a problem package to what the judge needs: the scoring plan, the test cases by name and
 * the limits. Pure functions (no engine), so the importer and the verify command share them.
 */
import type { LimitOverrides } from '../../engine/types.js';
import type { GroupSpec, Scoring } from '../scoring.js';
import { defineScoring } from '../scoring.js';
import type { ProblemPackage, TestCase, TestGroup } from '../packages/model.js';

const MiB = 2 ** 20;

/** Used when the package says nothing (the same for every language). */
export const DEFAULT_JUDGE_LIMITS = Object.freeze({
  cpuMs: 2_000,
  memoryBytes: 256 * MiB,
  /** Generous: the engine's maximum run output. */
  outputBytes: 16 * MiB,
});

export interface JudgeLimits {
  cpuMs: number;
  wallMs: number;
  memoryBytes: number;
  outputBytes: number;
}

/** Wall time: twice the CPU time plus a second, for start-up and I/O waits. */
export function wallFor(cpuMs: number): number {
  return cpuMs * 2 + 1_000;
}

/** The limits of one submission's runs: the caller's, else the package's, else the defaults. */
export function judgeLimits(problem: ProblemPackage, language: string, override: Partial<JudgeLimits> = {}): JudgeLimits {
  const seconds = problem.limits.timeSecondsByLanguage[language] ?? problem.limits.timeSeconds;
  const cpuMs = override.cpuMs ?? (seconds !== null ? Math.ceil(seconds * 1000) : DEFAULT_JUDGE_LIMITS.cpuMs);
  return {
    cpuMs,
    wallMs: override.wallMs ?? wallFor(cpuMs),
    memoryBytes: override.memoryBytes ?? (problem.limits.memoryMiB !== null ? Math.floor(problem.limits.memoryMiB * MiB) : DEFAULT_JUDGE_LIMITS.memoryBytes),
    outputBytes: override.outputBytes ?? (problem.limits.outputMiB !== null ? Math.min(Math.floor(problem.limits.outputMiB * MiB), DEFAULT_JUDGE_LIMITS.outputBytes) : DEFAULT_JUDGE_LIMITS.outputBytes),
  };
}

export function toEngineLimits(l: JudgeLimits): LimitOverrides {
  return { cpuMs: l.cpuMs, wallMs: l.wallMs, memoryBytes: l.memoryBytes, outputBytes: l.outputBytes };
}

export interface JudgePlan {
  scoring: Scoring;
  cases: ReadonlyMap<string, TestCase>;
}

interface Entry {
  group: TestGroup;
  cases: TestCase[];
}

/**
 * A subgroup that sets no score of its own is judged as part of its nearest ancestor that holds
 * tests (its tests count in that group's aggregation); one with a score is a group of its own.
 */
function walk(group: TestGroup, out: Entry[], parent: Entry | null, partial: boolean): void {
  let here = parent;
  if (parent && partial && group.settings.maxScore === null) parent.cases.push(...group.cases);
  else if (group.cases.length > 0) {
    here = { group, cases: [...group.cases] };
    out.push(here);
  }
  for (const g of group.groups) walk(g, out, here, partial);
}

/**
 * Every package group that holds test cases becomes a scoring group (see `walk` for subgroups; a
 * parent's aggregation over its subgroups' scores is not modelled yet: groups simply add up). Scoring
 * problems (Kattis `scoring`, DMOJ points) score partially; pass-fail ones are all or nothing.
 */
export function judgePlan(problem: ProblemPackage): JudgePlan {
  const partial = problem.types.includes('scoring') || problem.format === 'dmoj';
  const entries: Entry[] = [];
  for (const g of problem.testData) walk(g, entries, null, partial);
  // DMOJ: pretests are for contests' pretest mode only, not full judging; and single cases
  // outside batches carry their own points, so each is a group of its own worth its points.
  if (problem.format === 'dmoj') {
    const split: Entry[] = [];
    for (const e of entries) {
      if (e.group.kind === 'pretest') continue;
      if (e.group.settings.aggregation === 'sum' && e.cases.some((c) => c.points !== null)) {
        for (const c of e.cases) split.push({ group: { ...e.group, path: c.name, settings: { ...e.group.settings, maxScore: c.points ?? 0, requirePass: [] } }, cases: [c] });
      } else split.push(e);
    }
    entries.splice(0, entries.length, ...split);
  }
  const names = new Set(entries.map((e) => e.group.path));
  const samples = entries.filter((e) => e.group.kind === 'sample').map((e) => e.group.path);
  const cases = new Map<string, TestCase>();
  const specs: GroupSpec[] = entries.map(({ group: g, cases: own }) => {
    for (const c of own) cases.set(c.name, c);
    const points = own.reduce((s, c) => s + (c.points ?? 0), 0);
    const maxScore = g.settings.maxScore ?? (points > 0 ? points : partial ? own.length * (g.settings.acceptScore ?? 1) : 1);
    return {
      name: g.path,
      tests: own.map((c) => c.name),
      aggregation: g.settings.aggregation,
      maxScore,
      // Pass-fail (ICPC, Kattis first_error): nothing after a failed sample is worth running.
      requirePass: [...g.settings.requirePass.filter((r) => names.has(r) && r !== g.path), ...(partial || g.kind === 'sample' ? [] : samples)],
      onReject: g.settings.onReject,
      sample: g.kind === 'sample',
    };
  });
  return { scoring: defineScoring({ groups: specs, partial }), cases };
}
