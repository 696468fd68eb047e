/** The playground's starter and main file name for every language, matching the engine's definitions. */
import { describe, expect, it } from 'vitest';
import { ALL_LANGUAGES } from '../../src/engine/languages/registry.js';
import { languageOfPath, MAIN_FILES, STARTERS } from '../../web/src/lib/starters.js';

describe('playground starters', () => {
  it('every language has a starter, and the main file name the engine expects', () => {
    for (const d of ALL_LANGUAGES) {
      expect(STARTERS[d.id], d.id).toMatch(/\S/);
      expect(MAIN_FILES[d.id], d.id).toBe(d.sourceFile);
    }
  });

  it('a project file is highlighted by its extension', () => {
    expect(languageOfPath('src/App.kt', 'text')).toBe('kotlin');
    expect(languageOfPath('lib.hs', 'text')).toBe('haskell');
    expect(languageOfPath('query.sql', 'text')).toBe('sql');
  });
});
