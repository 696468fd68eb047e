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
    fileBytes: z.number().optional(),
  })
  .strict();

const content = z.union([z.string(), z.custom<Uint8Array>((v) => v instanceof Uint8Array, 'bytes')]);
const fileList = z.array(z.object({ path: z.string(), content })).max(10_000);

/** One side of an interactive run (engine InteractiveSide). */
const side = z
  .object({
    language: z.string(),
    files: fileList,
    mainFile: z.string().optional(),
    args: z.array(z.string()).optional(),
    dataFiles: fileList.optional(),
    collectFiles: z.array(z.string()).max(64).optional(),
    limits: limits.optional(),
    compileLimits: limits.optional(),
  })
  .strict();

/** One item of an interactive run's live input (engine/live-input.ts), checked again by LiveInput. */
const liveItem = z.discriminatedUnion('kind', [
  z.object({ kind: z.literal('data'), data: z.custom<Uint8Array>((v) => v instanceof Uint8Array, 'bytes') }).strict(),
  z.object({ kind: z.literal('eof') }).strict(),
  z.object({ kind: z.literal('signal'), signal: z.string().max(16) }).strict(),
  z.object({ kind: z.literal('resize'), cols: z.number().int(), rows: z.number().int() }).strict(),
]);

export const childMessage = z.discriminatedUnion('t', [
  z.object({
    t: z.literal('run'),
    id: z.number().int(),
    req: z
      .object({
        language: z.string(),
        files: fileList,
        mainFile: z.string().optional(),
        stdin: content.optional(),
        stdinLimitBytes: z.number().optional(),
        dataFiles: fileList.optional(),
        collectFiles: z.array(z.string()).max(64).optional(),
        outputFiles: z.array(z.string()).max(64).optional(),
        timeline: z.boolean().optional(),
        args: z.array(z.string()).optional(),
        compileOptions: z.array(z.string()).max(256).optional(),
        limits: limits.optional(),
        compileLimits: limits.optional(),
        stream: z.boolean(),
        /** An interactive run: its stdin comes as `input` messages (the engine's LiveInput). */
        interactive: z.object({ tty: z.object({ cols: z.number().int(), rows: z.number().int() }).strict().optional() }).strict().optional(),
      })
      .strict(),
  }),
  z.object({ t: z.literal('input'), id: z.number().int(), item: liveItem }),
  z.object({
    t: z.literal('interactive'),
    id: z.number().int(),
    req: z.object({ submission: side, interactor: side, wallMs: z.number() }).strict(),
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
