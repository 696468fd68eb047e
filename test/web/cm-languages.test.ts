/** Playground highlighting: every language has a CodeMirror mode (language pack or legacy mode) but Ada and AWK. */
import { describe, expect, it } from 'vitest';
import { ALL_LANGUAGES } from '../../src/engine/languages/registry.js';
import { languageExtension } from '../../web/src/lib/cm-languages.js';

describe('CodeMirror modes per language', () => {
  it('loads a highlighting mode for every language that has one', async () => {
    const plain: string[] = [];
    for (const d of ALL_LANGUAGES) {
      const ext = (await languageExtension(d.id)) as unknown[];
      if (Array.isArray(ext[0]) && ext[0].length === 0) plain.push(d.id);
    }
    expect(plain.sort()).toEqual(['ada', 'awk']);
  });
});
