import fs from 'node:fs';
import path from 'node:path';
import { describe, expect, it } from 'vitest';
import { REPO_ROOT } from '../../src/config/config.js';
import { openApiDocument } from '../../src/server/openapi-document.js';
import { generateApiTypes, schemaToType } from '../../src/server/openapi-types.js';

/** Issue 12 item 6: the web app's API types are generated from the route schemas and kept current. */

describe('generated web API types', () => {
  it('web/src/api/generated.ts is what `npm run gen:types` writes from the current route schemas', async () => {
    const expected = generateApiTypes(await openApiDocument());
    const current = fs.readFileSync(path.join(REPO_ROOT, 'web/src/api/generated.ts'), 'utf8');
    // One readable line instead of a 3,000-line diff; the fix is one command.
    expect(current === expected, 'web/src/api/generated.ts is stale: run `npm run gen:types` and commit it').toBe(true);
    expect(expected).toContain('"/api/v1/execute/{id}": {');
  }, 60_000);

  it('converts what fastify-type-provider-zod emits', () => {
    const cases: [object, string][] = [
      [{ type: 'string', nullable: true }, 'string | null'],
      [{ type: 'string', enum: ['a', 'b'] }, '"a" | "b"'],
      [{ type: 'boolean', enum: [true] }, 'true'],
      [{ type: 'array', items: { type: 'string', enum: ['x', 'y'] } }, '("x" | "y")[]'],
      [{ type: 'array', items: { anyOf: [{ type: 'number' }, { type: 'string' }] }, minItems: 2, maxItems: 2 }, '[number, string]'],
      [{ type: 'array', items: { anyOf: [{ type: 'number' }, { type: 'string' }] } }, '(number | string)[]'],
      [{ type: 'object', additionalProperties: { type: 'integer' } }, 'Record<string, number>'],
      [{ type: 'object' }, 'Record<string, unknown>'],
      [{}, 'unknown'],
      [{ type: 'object', properties: { 'a-b': { type: 'number' }, c: { type: 'string' } }, required: ['c'] }, '{\n  "a-b"?: number;\n  c: string;\n}'],
      [{ anyOf: [{ type: 'object', properties: { k: { const: 1 } }, required: ['k'] }, { type: 'null' }] }, '{\n  k: 1;\n} | null'],
    ];
    for (const [schema, ts] of cases) expect(schemaToType(schema), JSON.stringify(schema)).toBe(ts);
  });
});
