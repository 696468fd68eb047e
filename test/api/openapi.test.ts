import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { startTestServer, type TestServer } from '../helpers/app.js';

/**
 * The OpenAPI document is generated from the route schemas; this checks that nothing escapes
 * it: every route registered under /api/v1 is in the document, with a summary and response
 * schemas (a success one and the error envelope), and the document lists no route that does
 * not exist.
 */

interface Operation {
  summary?: string;
  responses?: Record<string, { content?: { 'application/json'?: { schema?: unknown } } }>;
}

/** Routes as Fastify sees them, from `printRoutes({ commonPrefix: false })` (a tree of path pieces). */
function registeredRoutes(tree: string): { method: string; url: string }[] {
  const out: { method: string; url: string }[] = [];
  const stack: { depth: number; path: string }[] = [];
  for (const line of tree.split('\n')) {
    const m = /^([│ ]*)[├└]── (\S+)(?: \(([^)]*)\))?$/.exec(line.replace(/\s+$/, ''));
    if (!m) continue;
    const depth = m[1]!.length / 4;
    while (stack.length && stack.at(-1)!.depth >= depth) stack.pop();
    const path = (stack.at(-1)?.path ?? '') + m[2];
    stack.push({ depth, path });
    for (const method of (m[3] ?? '').split(',').map((s) => s.trim()).filter(Boolean)) out.push({ method, url: path });
  }
  return out;
}

describe('OpenAPI document', () => {
  let server: TestServer;
  let doc: { openapi: string; paths: Record<string, Record<string, Operation>> };
  let routes: { method: string; url: string }[];

  beforeAll(async () => {
    server = await startTestServer({ mode: 'embedded' });
    doc = (await (await fetch(`${server.url}/openapi.json`)).json()) as typeof doc;
    routes = registeredRoutes(server.app.printRoutes({ commonPrefix: false })).filter(
      (r) => r.url.startsWith('/api/v1/') && r.method !== 'HEAD' && r.method !== 'OPTIONS',
    );
  });
  afterAll(async () => server?.stop());

  it('reads the route table right', () => {
    // The parser is checked against Fastify itself, and must find the routes every release has.
    for (const r of routes) expect(server.app.hasRoute({ method: r.method as 'GET', url: r.url }), `${r.method} ${r.url}`).toBe(true);
    expect(routes).toEqual(
      expect.arrayContaining([
        { method: 'POST', url: '/api/v1/execute' },
        { method: 'DELETE', url: '/api/v1/execute/:id' },
        { method: 'POST', url: '/api/v1/auth/login' },
        { method: 'GET', url: '/api/v1/stats' },
        { method: 'GET', url: '/api/v1/health' },
      ]),
    );
    expect(doc.openapi).toMatch(/^3\./);
  });

  it('documents every /api/v1 route with a summary and response schemas', () => {
    const problems: string[] = [];
    for (const r of routes) {
      const path = r.url.replace(/:(\w+)/g, '{$1}');
      const op = doc.paths[path]?.[r.method.toLowerCase()];
      const name = `${r.method} ${r.url}`;
      if (!op) {
        problems.push(`${name}: missing`);
        continue;
      }
      if (!op.summary?.trim()) problems.push(`${name}: no summary`);
      const responses = op.responses ?? {};
      const success = Object.keys(responses).filter((s) => /^2\d\d$/.test(s));
      if (success.length === 0) problems.push(`${name}: no success response`);
      for (const [status, res] of Object.entries(responses)) {
        if (!res.content?.['application/json']?.schema) problems.push(`${name}: response ${status} has no schema`);
      }
      // Health answers 503 without the envelope; every other route lists the error envelope.
      if (r.url !== '/api/v1/health' && !Object.keys(responses).some((s) => /^4\d\d$/.test(s))) problems.push(`${name}: no error response`);
    }
    expect(problems).toEqual([]);
  });

  it('lists no route that does not exist', () => {
    const registered = new Set(routes.map((r) => `${r.method} ${r.url.replace(/:(\w+)/g, '{$1}')}`));
    const documented = Object.entries(doc.paths).flatMap(([p, ops]) => Object.keys(ops).map((m) => `${m.toUpperCase()} ${p}`));
    expect(documented.filter((d) => !registered.has(d))).toEqual([]);
    expect(documented.length).toBe(registered.size);
  });

  it('serves /docs titled "MUSCode API", with a link back to the app', async () => {
    const html = await (await fetch(`${server.url}/docs/`)).text();
    expect(html).toContain('<title>MUSCode API</title>');
    const src = /<script src="([^"]*back-to-app\.js)"/.exec(html)?.[1];
    expect(src).toBeDefined();
    const js = await (await fetch(new URL(src!, `${server.url}/docs/`))).text();
    expect(js).toContain("a.href = '/'");
    expect(js).toContain('Back to MUSCode');
    expect((doc as unknown as { info: { description: string } }).info.description).toContain('](/)');
  });
});
