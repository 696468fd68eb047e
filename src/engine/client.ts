import type { LanguageInfo } from './languages/registry.js';
import type { LimitTable } from './limits.js';
import type { InteractiveRunRequest, InteractiveRunResult, RunRequest, RunResult } from './types.js';

/**
 * What the rest of the platform sees of the engine. `Engine` implements it in-process (CLI,
 * tests); `RemoteEngine` implements it over the supervisor channel, so that the process parsing
 * HTTP, WebSocket and queue traffic never runs as root.
 */
export interface EngineClient {
  readonly limits: LimitTable;
  run(req: RunRequest): Promise<RunResult>;
  /** Two programs joined by pipes, in two sandboxes (two slots, taken together). */
  runInteractive(req: InteractiveRunRequest): Promise<InteractiveRunResult>;
  listLanguages(): Promise<LanguageInfo[]>;
  /** Slots, idle slots and waiting runs; throws when the engine is gone. */
  status(): Promise<{ slots: number; idle: number; queued: number }>;
  close(): Promise<void>;
  /** The root half of workspaces when it runs elsewhere (the supervisor, under `muscode serve`); absent: in this process. */
  readonly workspaces?: import('../workspaces/runtime.js').WorkspaceRuntime;
}
