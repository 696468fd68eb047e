import fs from 'node:fs';
import net from 'node:net';
import path from 'node:path';
import { exportDatabase } from '../db/backup.js';
import type { Database } from '../db/client.js';

/**
 * The running embedded server's admin socket, DATA_DIR/service/admin.sock: how `muscode backup`
 * gets a consistent snapshot while the server runs (PGlite is inside this process; nobody else
 * may open it). A Unix socket in the service's own 0700 directory, so only the service user and
 * root can reach it: no HTTP endpoint, no token. One request per connection: the line
 * `{"op":"backup"}` is answered with the backup's bytes, then the connection is closed. A
 * failure destroys the connection; the client sees a backup without its end line and refuses it.
 */

export const ADMIN_SOCKET = 'admin.sock';

export function adminSocketPath(dataDir: string): string {
  return path.join(dataDir, 'service', ADMIN_SOCKET);
}

export interface AdminSocket {
  path: string;
  close(): Promise<void>;
}

export async function startAdminSocket(database: Database, socketPath: string): Promise<AdminSocket> {
  // We hold the data directory's lock, so a socket file left here is a dead process's.
  fs.rmSync(socketPath, { force: true });
  const server = net.createServer((socket) => {
    socket.on('error', () => undefined);
    let buf = '';
    const onData = (d: Buffer) => {
      buf += d.toString('utf8');
      if (buf.length > 4096) return void socket.destroy();
      const nl = buf.indexOf('\n');
      if (nl < 0) return;
      socket.off('data', onData);
      let op: unknown;
      try {
        op = (JSON.parse(buf.slice(0, nl)) as { op?: unknown }).op;
      } catch {
        op = undefined;
      }
      if (op !== 'backup') return void socket.end(`${JSON.stringify({ error: 'unknown request' })}\n`);
      exportDatabase(database, socket).catch(() => socket.destroy());
    };
    socket.on('data', onData);
  });
  await new Promise<void>((resolve, reject) => {
    server.once('error', reject);
    server.listen(socketPath, () => resolve());
  });
  fs.chmodSync(socketPath, 0o600);
  server.unref();
  return {
    path: socketPath,
    close: () =>
      new Promise<void>((resolve) => {
        server.close(() => resolve());
        fs.rmSync(socketPath, { force: true });
      }),
  };
}

/** Asks a running server for a backup; resolves with the socket to read it from, or null if no server listens. */
export function requestBackup(socketPath: string): Promise<net.Socket | null> {
  return new Promise((resolve, reject) => {
    const socket = net.connect(socketPath);
    socket.once('connect', () => {
      socket.off('error', onError);
      socket.write('{"op":"backup"}\n');
      resolve(socket);
    });
    const onError = (err: NodeJS.ErrnoException) => {
      if (err.code === 'ENOENT' || err.code === 'ECONNREFUSED') resolve(null);
      else reject(err);
    };
    socket.once('error', onError);
  });
}
