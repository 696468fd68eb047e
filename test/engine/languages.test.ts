import { describe, expect, it } from 'vitest';
import { ALL_LANGUAGES, LANGUAGES } from '../../src/engine/languages/registry.js';
import { CI, out, runCode, useEngine } from '../helpers/engine.js';

describe('languages', () => {
  const ctx = useEngine();

  it('reports every language available with a detected version', async () => {
    const list = await ctx.engine.listLanguages();
    expect(list.map((l) => l.id).sort()).toEqual(ALL_LANGUAGES.map((d) => d.id).sort());
    expect(list.length).toBeGreaterThanOrEqual(40);
    for (const l of list) {
      // Under CI a missing toolchain fails the run; it is never skipped.
      if (CI || l.available) expect(l, `${l.id}: ${l.reason}`).toMatchObject({ available: true, version: expect.stringMatching(/\d/) });
    }
  });

  for (const def of LANGUAGES) {
    it(`${def.id}: self-test passes in the sandbox`, async () => {
      const r = await runCode(ctx.engine, def.id, def.selfTest.source, { stdin: def.selfTest.stdin, args: def.selfTest.args });
      expect(r.compile?.status ?? 'ok').toBe('ok');
      expect(r.run?.status).toBe('ok');
      expect(out(r)).toBe(def.selfTest.expected);
    });
  }
});
