import fs from 'node:fs';
import path from 'node:path';
import { describe, expect, it } from 'vitest';
import { configMarkdown, loadConfig, REPO_ROOT } from '../src/config/config.js';

describe('docs and configuration', () => {
  it('docs/configuration.md lists every option exactly as the schema defines it', () => {
    const doc = fs.readFileSync(path.join(REPO_ROOT, 'docs/configuration.md'), 'utf8');
    expect(doc).toContain(configMarkdown());
  });

  it('parses once into a frozen object, and a bad value names the variable', () => {
    const c = loadConfig({}, { SANDBOX_SLOTS: '3' });
    expect(c.SANDBOX_SLOTS).toBe(3);
    expect(Object.isFrozen(c)).toBe(true);
    expect(Object.isFrozen(c.limits.run.defaults)).toBe(true);
    expect(() => loadConfig({ SANDBOX_SLOTS: 'many' })).toThrow(/SANDBOX_SLOTS/);
    expect(() => loadConfig({ CGROUP_VERSION: '3' })).toThrow(/CGROUP_VERSION/);
  });

  it('maps the seed variables onto the limit table', () => {
    const c = loadConfig({ EXECUTION_TIMEOUT: '20', MEMORY_LIMIT: '128' });
    expect(c.limits.run.max.wallMs).toBe(20_000);
    expect(c.limits.run.defaults.memoryBytes).toBe(128 * 2 ** 20);
  });
});
