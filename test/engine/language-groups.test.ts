/**
 * The install footprint: the core languages come with `make run`, the rest with `make languages`.
 * The Makefile's package lists and the definitions must agree, and a language whose toolchain
 * is missing is listed with the reason and how to install it.
 */
import fs from 'node:fs';
import { describe, expect, it } from 'vitest';
import { ALL_LANGUAGES, LANGUAGES, LanguageRegistry, MORE_LANGUAGES } from '../../src/engine/languages/registry.js';

function makeList(name: string): string[] {
  const text = fs.readFileSync(new URL('../../Makefile', import.meta.url), 'utf8');
  const m = new RegExp(`^${name} :=((?:.*\\\\\\n)*.*)$`, 'm').exec(text);
  if (!m) throw new Error(`${name} not in the Makefile`);
  return m[1]!.replaceAll('\\\n', ' ').split(/\s+/).filter(Boolean);
}

describe('language groups', () => {
  it('lists 40 or more languages: the core fourteen and the rest', () => {
    expect(LANGUAGES.length).toBe(14);
    expect(ALL_LANGUAGES.length).toBeGreaterThanOrEqual(40);
  });

  it("the Makefile's LANGUAGE_PACKAGES_ALL installs every optional language's packages, and only those", () => {
    const all = makeList('LANGUAGE_PACKAGES_ALL');
    const needed = MORE_LANGUAGES.flatMap((d) => d.packages ?? []);
    for (const d of MORE_LANGUAGES) expect(d.packages?.length, d.id).toBeGreaterThan(0);
    expect([...new Set(needed)].sort()).toEqual([...all].sort());
  });

  it('the core group carries scientific Python', () => {
    expect(makeList('APT_PACKAGES')).toEqual(expect.arrayContaining(['python3-numpy', 'python3-pandas', 'python3-scipy', 'python3-matplotlib', 'python3-sympy']));
  });

  it('a language without its toolchain is listed as unavailable, with the reason and how to install it', async () => {
    const lua = MORE_LANGUAGES.find((d) => d.id === 'lua')!;
    const missing = { ...lua, requires: ['/nonexistent/lua5.4'] };
    const registry = new LanguageRegistry([LANGUAGES[0]!, missing]);
    const [py, info] = await registry.list();
    expect(py).toMatchObject({ id: 'python', group: 'core', available: true });
    expect(py).not.toHaveProperty('install');
    expect(info).toMatchObject({
      id: 'lua',
      group: 'more',
      available: false,
      version: null,
      reason: '/nonexistent/lua5.4 is missing',
      install: 'make languages (or: apt-get install -y --no-install-recommends lua5.4)',
    });
  });

  it('every name and alias is unique, and a shared extension picks one language', () => {
    expect(() => new LanguageRegistry(ALL_LANGUAGES)).not.toThrow();
    const registry = new LanguageRegistry();
    expect(registry.byExtension('plot.m')?.id).toBe('octave');
    expect(registry.byExtension('main.pl')?.id).toBe('perl');
    expect(registry.byExtension('Main.kt')?.id).toBe('kotlin');
  });
});
