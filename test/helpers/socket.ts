import { io, type ManagerOptions, type Socket, type SocketOptions } from 'socket.io-client';

/**
 * A socket.io client on the API's /ws, connected (or rejected with the connect error), with no
 * reconnection and a fresh manager: what every realtime test wants. `token` goes in `auth`.
 */
export function connectSocket(url: string, token?: string, opts: Partial<ManagerOptions & SocketOptions> = {}): Promise<Socket> {
  const socket = io(url, { path: '/ws', auth: token ? { token } : {}, transports: ['websocket'], reconnection: false, forceNew: true, ...opts });
  return new Promise((resolve, reject) => {
    socket.once('connect', () => resolve(socket));
    socket.once('connect_error', (err) => reject(err));
  });
}
