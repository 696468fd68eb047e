import type { IncomingMessage } from 'node:http';
import type { Duplex } from 'node:stream';
import type { FastifyInstance } from 'fastify';

/**
 * One place that hands raw WebSocket upgrades to the features that speak plain WebSocket
 * (collaborative rooms, workspace terminals, Piston's /api/v2/connect), next to socket.io's
 * own /ws. Each feature registers a path matcher and a handler (typically a `ws`
 * `WebSocketServer({ noServer: true })`'s `handleUpgrade`).
 *
 * Why one router: engine.io (socket.io) destroys an upgrade on any other path that nobody has
 * answered within a second, and several `upgrade` listeners that each guess which request is
 * theirs race one another. Here the first matching route owns the request; an upgrade that no
 * route claims and that is not socket.io's is answered 404 at once instead of hanging.
 */
export type UpgradeHandler = (req: IncomingMessage, socket: Duplex, head: Buffer, url: URL) => void;

interface Route {
  name: string;
  match: (pathname: string) => boolean;
  handle: UpgradeHandler;
}

export class UpgradeRouter {
  private readonly routes: Route[] = [];

  constructor(private readonly socketIoPath = '/ws') {}

  /** Registers a route; `match` receives the request's pathname (no query string). */
  add(name: string, match: string | RegExp | ((pathname: string) => boolean), handle: UpgradeHandler): void {
    const test = typeof match === 'string' ? (p: string) => p === match : match instanceof RegExp ? (p: string) => match.test(p) : match;
    this.routes.push({ name, match: test, handle });
  }

  /** Called for every `upgrade` event of the HTTP server. */
  dispatch(req: IncomingMessage, socket: Duplex, head: Buffer): void {
    let url: URL;
    try {
      url = new URL(req.url ?? '/', 'http://localhost');
    } catch {
      return reject(socket, 400, 'Bad Request');
    }
    // socket.io attaches its own listener to the same event and answers its path itself.
    if (url.pathname === this.socketIoPath || url.pathname.startsWith(`${this.socketIoPath}/`)) return;
    const route = this.routes.find((r) => r.match(url.pathname));
    if (!route) return reject(socket, 404, 'Not Found');
    try {
      route.handle(req, socket, head, url);
    } catch {
      reject(socket, 500, 'Internal Server Error');
    }
  }

  /** Attaches the router to the app's HTTP server (once, in buildApp). */
  attach(app: FastifyInstance): void {
    app.server.on('upgrade', (req: IncomingMessage, socket: Duplex, head: Buffer) => this.dispatch(req, socket, head));
  }
}

/** Answers an upgrade request with a plain HTTP error and closes the connection. */
export function reject(socket: Duplex, status: number, text: string): void {
  if (socket.writable) socket.end(`HTTP/1.1 ${status} ${text}\r\nConnection: close\r\nContent-Length: 0\r\n\r\n`);
  socket.destroy();
}

declare module 'fastify' {
  interface FastifyInstance {
    /** Plain-WebSocket routes (see src/server/upgrades.ts). */
    upgrades: UpgradeRouter;
  }
}
