import fs from 'node:fs';
import path from 'node:path';
import fastifyStatic from '@fastify/static';
import type { FastifyInstance, FastifyReply } from 'fastify';
import { REPO_ROOT } from '../config/config.js';

/** Where `make web` (vite build) puts the web app. */
export const WEB_DIST = path.join(REPO_ROOT, 'web/dist');

/**
 * The web app's pages: scripts only from this origin (no inline script, no CDN), connections
 * only to this origin (the API and the socket.io endpoint). Styles allow 'unsafe-inline'
 * because CodeMirror and React set style attributes and CodeMirror injects its theme rules.
 */
export const APP_CSP = [
  "default-src 'self'",
  "script-src 'self'",
  "style-src 'self' 'unsafe-inline'",
  "img-src 'self' data:",
  "font-src 'self'",
  "connect-src 'self'",
  "worker-src 'self'",
  "manifest-src 'self'",
  "object-src 'none'",
  "base-uri 'self'",
  "form-action 'self'",
  "frame-ancestors 'none'",
].join('; ');

/** First path segments that belong to the server, never to the app's client-side routes. */
const SERVER_PATHS = new Set(['api', 'ws', 'docs', 'openapi.json', 'metrics']);

/**
 * Serves the built web app at / : existing files from `root` (pre-compressed .br/.gz variants
 * when the browser accepts them; hashed assets cached for a year), and index.html for any other
 * GET that is not the server's own (client-side routes such as /projects/123). API paths that
 * match nothing keep their JSON 404. Returns false, registering nothing, when the app is not
 * built: the server then runs API-only.
 */
export async function registerWebApp(app: FastifyInstance, root: string = WEB_DIST): Promise<boolean> {
  const index = path.join(root, 'index.html');
  if (!fs.existsSync(index)) {
    app.log.info({ root }, 'web app not built (make web): serving the API only');
    return false;
  }
  const realRoot = fs.realpathSync(root);
  await app.register(async (web) => {
    await web.register(fastifyStatic, { root: realRoot, serve: false, preCompressed: true, cacheControl: false, dotfiles: 'deny', index: false });

    const sendIndex = (reply: FastifyReply) =>
      reply.header('cache-control', 'no-cache').header('content-security-policy', APP_CSP).type('text/html; charset=utf-8').sendFile('index.html');

    /** A regular file below the root, by a relative URL path without dot segments; else null. */
    const existing = (rel: string): string | null => {
      const parts = rel.split('/');
      if (!rel || parts.some((p) => p === '' || p.startsWith('.'))) return null;
      const full = path.join(realRoot, ...parts);
      if (!full.startsWith(realRoot + path.sep)) return null;
      try {
        return fs.statSync(full).isFile() ? rel : null;
      } catch {
        return null;
      }
    };

    web.get('/*', { schema: { hide: true } }, async (request, reply) => {
      const rel = (request.params as { '*'?: string })['*'] ?? '';
      const first = rel.split('/')[0] ?? '';
      if (SERVER_PATHS.has(first)) return reply.callNotFound();
      if (rel === '' || rel === 'index.html') return sendIndex(reply);
      const file = existing(rel);
      if (file) {
        // Vite puts content-hashed names under assets/: they never change.
        reply.header('cache-control', file.startsWith('assets/') ? 'public, max-age=31536000, immutable' : 'public, max-age=3600');
        return reply.sendFile(file);
      }
      // A missing asset is a 404, not the app (a script tag must not receive HTML).
      if (first === 'assets' || /\.[A-Za-z0-9]{1,8}$/.test(rel)) return reply.callNotFound();
      return sendIndex(reply);
    });
  });
  return true;
}
