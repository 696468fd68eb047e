/**
 * The languages beyond the core fourteen (`make languages`): each one's self-test through the
 * real sandbox, plus the useEngine after-each check (no process left: no compile server, no
 * epmd, nothing that outlives the run). Under CI every toolchain must be installed.
 */
import { describe, expect, it } from 'vitest';
import { MORE_LANGUAGES } from '../../src/engine/languages/registry.js';
import { CI, out, runCode, useEngine } from '../helpers/engine.js';

const CACHE_CHECKED = new Set(['kotlin', 'nim', 'crystal', 'haskell', 'erlang']);

describe('more languages', () => {
  const ctx = useEngine();

  for (const def of MORE_LANGUAGES) {
    it(`${def.id}: self-test passes in the sandbox`, async () => {
      const info = await ctx.engine.languages.info(def);
      if (!info.available && !CI) return; // a developer machine without `make languages`
      expect(info, `${def.id}: ${info.reason}`).toMatchObject({ available: true, version: expect.stringMatching(/\d/) });
      const r = await runCode(ctx.engine, def.id, def.selfTest.source, { stdin: def.selfTest.stdin, args: def.selfTest.args });
      expect(r.compile?.status ?? 'ok', r.compile?.stderr.toString()).toBe('ok');
      expect(r.run?.status, r.run?.stderr.toString()).toBe('ok');
      expect(out(r)).toBe(def.selfTest.expected);
      // Nothing else said: no warning about a missing home, config or cache directory.
      expect(`${r.compile?.stdout.toString() ?? ''}${r.compile?.stderr.toString() ?? ''}${r.run?.stderr.toString()}`).toBe('');
      if (CACHE_CHECKED.has(def.id)) {
        // The compile cache answers the second run (what makes Kotlin's 2 s compile a one-off);
        // the slow compilers, and Erlang's shell-script step, are checked (the mechanism is shared).
        const again = await runCode(ctx.engine, def.id, def.selfTest.source, { stdin: def.selfTest.stdin, args: def.selfTest.args });
        expect(again.compile?.cached, def.id).toBe(true);
        expect(out(again)).toBe(def.selfTest.expected);
      }
    });
  }
});
