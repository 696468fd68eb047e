/** The compat table (src/compat/languages.ts): unambiguous for Judge0 and Piston clients. */
import { describe, expect, it } from 'vitest';
import { byJudge0Id, COMPAT_LANGUAGES } from '../../src/compat/languages.js';
import { ALL_LANGUAGES, MORE_LANGUAGES } from '../../src/engine/languages/registry.js';

describe('compat language table', () => {
  it('names only our languages, once each; Judge0 ids and Piston names and aliases are unique', () => {
    const ours = new Set(ALL_LANGUAGES.map((d) => d.id));
    const ids = COMPAT_LANGUAGES.map((l) => l.id);
    expect(ids.filter((id) => !ours.has(id))).toEqual([]);
    expect(new Set(ids).size).toBe(ids.length);
    const judge0 = COMPAT_LANGUAGES.flatMap((l) => (l.judge0 ? [l.judge0.id] : []));
    expect(new Set(judge0).size).toBe(judge0.length);
    const owner = new Map<string, string>();
    for (const l of COMPAT_LANGUAGES) {
      for (const name of new Set([l.piston.language, ...l.piston.aliases])) {
        expect(owner.get(name), `${name}: ${l.id} and ${owner.get(name)}`).toBeUndefined();
        owner.set(name, l.id);
      }
    }
  });

  it('every language of `make languages` is reachable from Piston; the Judge0 CE ids clients hard-code select them', () => {
    for (const d of MORE_LANGUAGES) {
      expect(COMPAT_LANGUAGES.find((l) => l.id === d.id), d.id).toBeDefined();
    }
    const expected: Record<number, string> = { 45: 'assembly', 51: 'csharp', 55: 'commonlisp', 57: 'elixir', 58: 'erlang', 59: 'fortran', 61: 'haskell', 64: 'lua', 65: 'ocaml', 67: 'pascal', 77: 'cobol', 78: 'kotlin', 80: 'r', 81: 'scala', 82: 'sql', 86: 'clojure', 88: 'groovy' };
    for (const [id, lang] of Object.entries(expected)) expect(byJudge0Id(Number(id))?.id, id).toBe(lang);
  });
});
