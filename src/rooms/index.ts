import type { FastifyInstance } from 'fastify';
import type { AppContext } from '../server/context.js';
import { COLLAB_PATH } from './collab.js';
import { roomRoutes } from './routes.js';
import { RoomService } from './service.js';

declare module 'fastify' {
  interface FastifyInstance {
    /** Rooms (issue 10, src/rooms/). */
    rooms: RoomService;
  }
}

/**
 * Registers rooms on the app: the service (one per API process), the REST routes under the
 * given scope, and the collaboration WebSocket on the upgrade router.
 */
export function createRooms(app: FastifyInstance, ctx: AppContext): RoomService {
  const svc = new RoomService(ctx, app.log);
  app.decorate('rooms', svc);
  app.upgrades.add('rooms-collab', COLLAB_PATH, svc.collab.upgradeHandler());
  // Connections first (before the HTTP server waits for them), then the state is written.
  app.addHook('preClose', async () => svc.close());
  svc.start();
  return svc;
}

export async function registerRoomRoutes(api: FastifyInstance, svc: RoomService): Promise<void> {
  await roomRoutes(api, svc);
}
