import type { ProjectAccess } from './project-rooms.js';

/**
 * How the HTTP routes tell the realtime layer that who may read a project changed (made
 * private, deleted). The routes know nothing of socket.io: buildApp decorates the app with one
 * of these, attachRealtime plugs in the room recheck. Without realtime attached (API tests that
 * build the app alone) a change is simply nobody's business.
 */
export class ProjectRoomEvents {
  private listener: ((p: ProjectAccess) => Promise<unknown>) | undefined;

  listen(listener: (p: ProjectAccess) => Promise<unknown>): void {
    this.listener = listener;
  }

  /** Resolves once every socket that may no longer read the project is out of its room. */
  async accessChanged(p: ProjectAccess): Promise<void> {
    await this.listener?.(p);
  }
}

declare module 'fastify' {
  interface FastifyInstance {
    projectRooms: ProjectRoomEvents;
  }
}
