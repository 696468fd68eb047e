import fs from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import { loadConfig } from '../config/config.js';
import type { EngineClient } from '../engine/client.js';
import { DEFAULT_LIMITS } from '../engine/limits.js';
import { SystemError, ErrorCodes } from '../errors.js';
import { buildApp } from './app.js';
import type { OpenApiDocument } from './openapi-types.js';
import { createPlatform } from './platform.js';

/**
 * The OpenAPI document of the default configuration, without a listening server or a sandbox:
 * an in-memory database and an engine that refuses to run anything (building the routes runs no
 * code). Used by `npm run gen:types` and its test, so both see the same document whatever the
 * environment says.
 */
export async function openApiDocument(): Promise<OpenApiDocument> {
  const dataDir = fs.mkdtempSync(path.join(os.tmpdir(), 'muscode-openapi-'));
  const config = loadConfig({}, { DATA_DIR: dataDir, LOG_LEVEL: 'silent', ARENA_IMPORT_SHIPPED: 'false', SANDBOX_SLOTS: '1' });
  const refuse = async (): Promise<never> => {
    throw new SystemError(ErrorCodes.engineClosed, 'documentation only: no engine');
  };
  const engine: EngineClient = { limits: DEFAULT_LIMITS, run: refuse, runInteractive: refuse, listLanguages: async () => [], status: refuse, close: async () => undefined };
  const platform = await createPlatform(config, { role: 'api', engine, pgliteDir: 'memory://', reconcile: false });
  try {
    const app = await buildApp(platform.ctx, { logger: false });
    await app.ready();
    const doc = app.swagger() as unknown as OpenApiDocument;
    await app.close();
    return doc;
  } finally {
    await platform.close({ abort: true });
    fs.rmSync(dataDir, { recursive: true, force: true });
  }
}
