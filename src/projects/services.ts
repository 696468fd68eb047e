import type { AppContext } from '../server/context.js';
import { FileService } from './file-service.js';
import { ProjectService } from './service.js';
import { SocialService } from './social-service.js';

export interface ProjectServices {
  projects: ProjectService;
  files: FileService;
  social: SocialService;
}

const cache = new WeakMap<object, ProjectServices>();

/** The project services of an app context (the routes and the socket handlers share them). */
export function projectServicesFor(ctx: Pick<AppContext, 'database' | 'config' | 'executions'>): ProjectServices {
  let s = cache.get(ctx);
  if (!s) {
    const db = ctx.database.db;
    const projects = new ProjectService({ db, config: ctx.config, executions: ctx.executions });
    s = { projects, files: new FileService({ db, config: ctx.config, languages: projects.languages }), social: new SocialService(db) };
    cache.set(ctx, s);
  }
  return s;
}
