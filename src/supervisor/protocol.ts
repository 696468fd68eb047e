import { z } from 'zod';

/**
 * Messages between the unprivileged service process (child) and the root supervisor (parent),
 * over Node's IPC channel with structured-clone serialisation (Buffers survive). The supervisor
 * treats the child as untrusted: every message is parsed with these schemas, and runs go
 * through the engine's own validation.
 */
const limits = z
  .object({
    cpuMs: z.number().optional(),
    wallMs: z.number().optional(),
    memoryBytes: z.number().optional(),
    processes: z.number().optional(),
    outputBytes: z.number().optional(),
  })
  .strict();

const content = z.union([z.string(), z.custom<Uint8Array>((v) => v instanceof Uint8Array, 'bytes')]);

export const childMessage = z.discriminatedUnion('t', [
  z.object({
    t: z.literal('run'),
    id: z.number().int(),
    req: z
      .object({
        language: z.string(),
        files: z.array(z.object({ path: z.string(), content })).max(10_000),
        mainFile: z.string().optional(),
        stdin: content.optional(),
        /** The judge's test inputs may use the engine's maximum stdin (RunRequest.stdinLimitBytes). */
        stdinLimitBytes: z.number().int().nonnegative().optional(),
        /** A custom validator's input/answer/output (RunRequest.dataFiles). */
        dataFiles: z.array(z.object({ path: z.string(), content })).max(64).optional(),
        args: z.array(z.string()).optional(),
        limits: limits.optional(),
        compileLimits: limits.optional(),
        stream: z.boolean(),
      })
      .strict(),
  }),
  z.object({ t: z.literal('cancel'), id: z.number().int() }),
  z.object({ t: z.literal('languages'), id: z.number().int() }),
  z.object({ t: z.literal('status'), id: z.number().int() }),
]);
export type ChildMessage = z.output<typeof childMessage>;

export type ParentMessage =
  | { t: 'out'; id: number; stream: 'stdout' | 'stderr'; chunk: Uint8Array }
  | { t: 'value'; id: number; value: unknown }
  | { t: 'error'; id: number; error: { family: 'caller' | 'system'; code: string; message: string; details?: Record<string, unknown> } };
