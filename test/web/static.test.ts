/**
 * Serving the web app (src/server/web.ts) on a Fastify instance with the API's error handlers:
 * SPA fallback, JSON 404s for the server's own paths, missing assets, the CSP, caching,
 * pre-compressed variants, dotfiles and traversal; and API-only when the app is not built.
 */
import fs from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import zlib from 'node:zlib';
import Fastify, { type FastifyInstance } from 'fastify';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { installErrorHandlers } from '../../src/server/http-errors';
import { APP_CSP, registerWebApp } from '../../src/server/web';

const INDEX = '<!doctype html><html><head><script type="module" src="/assets/app-abc123.js"></script></head><body><div id="root"></div></body></html>';
const APP_JS = `console.log(${JSON.stringify('x'.repeat(4000))});`;

let root: string;
let app: FastifyInstance;

beforeAll(async () => {
  root = fs.mkdtempSync(path.join(os.tmpdir(), 'muscode-web-'));
  fs.mkdirSync(path.join(root, 'assets'));
  fs.mkdirSync(path.join(root, '.vite'));
  fs.writeFileSync(path.join(root, 'index.html'), INDEX);
  fs.writeFileSync(path.join(root, 'assets/app-abc123.js'), APP_JS);
  fs.writeFileSync(path.join(root, 'assets/app-abc123.js.gz'), zlib.gzipSync(APP_JS));
  fs.writeFileSync(path.join(root, 'favicon.svg'), '<svg xmlns="http://www.w3.org/2000/svg"/>');
  fs.writeFileSync(path.join(root, '.vite/manifest.json'), '{}');
  fs.writeFileSync(path.join(os.tmpdir(), 'muscode-web-secret.txt'), 'TOP-SECRET-CONTENT');
  app = Fastify();
  installErrorHandlers(app);
  app.get('/api/v1/ping', async () => ({ success: true, data: 'pong' }));
  expect(await registerWebApp(app, root)).toBe(true);
  await app.ready();
});

afterAll(async () => {
  await app.close();
  fs.rmSync(root, { recursive: true, force: true });
  fs.rmSync(path.join(os.tmpdir(), 'muscode-web-secret.txt'), { force: true });
});

describe('web app serving', () => {
  it('/ and client-side routes get index.html with the CSP, never cached', async () => {
    for (const url of ['/', '/projects', '/projects/5d1f0c9e-1234-4abc-8def-000000000000', '/profile?tab=x', '/no/such/page']) {
      const res = await app.inject({ url });
      expect(res.statusCode, url).toBe(200);
      expect(res.headers['content-type']).toMatch(/^text\/html/);
      expect(res.body).toBe(INDEX);
      expect(res.headers['content-security-policy']).toBe(APP_CSP);
      expect(res.headers['cache-control']).toBe('no-cache');
    }
    expect(APP_CSP).toContain("script-src 'self'");
    expect(APP_CSP).not.toMatch(/script-src[^;]*unsafe/);
  });

  it('hashed assets are cached for a year and sent pre-compressed when accepted', async () => {
    const plain = await app.inject({ url: '/assets/app-abc123.js' });
    expect(plain.statusCode).toBe(200);
    expect(plain.body).toBe(APP_JS);
    expect(plain.headers['cache-control']).toBe('public, max-age=31536000, immutable');
    expect(plain.headers['content-type']).toMatch(/javascript/);
    const gz = await app.inject({ url: '/assets/app-abc123.js', headers: { 'accept-encoding': 'gzip' } });
    expect(gz.headers['content-encoding']).toBe('gzip');
    expect(zlib.gunzipSync(gz.rawPayload).toString()).toBe(APP_JS);
    expect(Number(gz.headers['content-length'])).toBeLessThan(APP_JS.length / 10);
    const fav = await app.inject({ url: '/favicon.svg' });
    expect(fav.statusCode).toBe(200);
    expect(fav.headers['cache-control']).toBe('public, max-age=3600');
  });

  it("the server's own paths keep their JSON answers; API routes still work", async () => {
    const ok = await app.inject({ url: '/api/v1/ping' });
    expect(ok.json()).toEqual({ success: true, data: 'pong' });
    for (const url of ['/api/v1/nope', '/api', '/ws/x', '/docs/missing', '/metrics', '/openapi.json']) {
      const res = await app.inject({ url });
      expect(res.statusCode, url).toBe(404);
      expect(res.json(), url).toMatchObject({ success: false, error: { code: 'ROUTE_NOT_FOUND' } });
    }
    const post = await app.inject({ method: 'POST', url: '/projects' });
    expect(post.statusCode).toBe(404);
  });

  it('a missing asset is a 404, not the app; dotfiles and traversal are refused', async () => {
    for (const url of ['/assets/gone-123.js', '/missing.css', '/.vite/manifest.json', '/assets/../../muscode-web-secret.txt', '/%2e%2e/muscode-web-secret.txt']) {
      const res = await app.inject({ url });
      expect(res.statusCode, url).toBeGreaterThanOrEqual(400);
      expect(res.body, url).not.toContain('TOP-SECRET-CONTENT');
      expect(res.body, url).not.toContain('<div id="root">');
    }
  });

  it('HEAD works like GET', async () => {
    const res = await app.inject({ method: 'HEAD', url: '/projects' });
    expect(res.statusCode).toBe(200);
    expect(res.headers['content-security-policy']).toBe(APP_CSP);
  });

  it('without a build, nothing is registered and the server is API-only', async () => {
    const bare = Fastify();
    installErrorHandlers(bare);
    expect(await registerWebApp(bare, path.join(root, 'not-built'))).toBe(false);
    const res = await bare.inject({ url: '/' });
    expect(res.statusCode).toBe(404);
    expect(res.json()).toMatchObject({ error: { code: 'ROUTE_NOT_FOUND' } });
    await bare.close();
  });
});
