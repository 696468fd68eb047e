import { z } from 'zod';

/**
 * Workspaces across the supervisor's IPC channel (docs/workspaces.md, "Under the supervisor").
 * The service process keeps the database, access checks, terminal sessions and flow control;
 * the root supervisor keeps what needs root: environments, ptys and the directory side of the
 * sync. The supervisor treats every message as untrusted: it is parsed with these schemas, a
 * workspace key is a UUID, a path is a plain relative path (no `..`, no absolute path), and the
 * only things the service can ask for are the operations below on its workspaces' sandboxes.
 */

/** A path relative to /workspace, as the service's file model produces it. */
const rel = z
  .string()
  .min(1)
  .max(1000)
  .refine((p) => !p.includes('\0') && p.split('/').every((s) => s !== '' && s !== '.' && s !== '..'), 'a plain relative path');
const key = z.uuid();
const bytes = z.custom<Uint8Array>((v) => v instanceof Uint8Array, 'bytes');
const size = z.object({ cols: z.number().int(), rows: z.number().int() }).strict();
const rejected = z.array(z.object({ rel: z.string(), code: z.string(), message: z.string() }).strict()).max(100_000);

const op = z.discriminatedUnion('op', [
  z.object({
    op: z.literal('start'),
    key,
    files: z.array(z.object({ rel, content: z.string(), encoding: z.enum(['utf8', 'base64']) }).strict()).max(100_000),
  }).strict(),
  z.object({ op: z.literal('spawn'), key, size }).strict(),
  z.object({ op: z.literal('wrote'), key, rel, bytes }).strict(),
  z.object({ op: z.literal('remove'), key, rel }).strict(),
  z.object({ op: z.literal('sync'), key }).strict(),
  z.object({ op: z.literal('stop'), key }).strict(),
  z.object({ op: z.literal('status'), key }).strict(),
]);

export const wsChildMessage = z.discriminatedUnion('t', [
  /** A request; answered with `ws-reply` of the same id. */
  z.object({ t: z.literal('ws'), id: z.number().int(), req: op }).strict(),
  /** Terminal input and control (no answer). */
  z.object({
    t: z.literal('pty'),
    term: z.number().int(),
    op: z.enum(['write', 'resize', 'pause', 'resume', 'kill']),
    data: z.string().max(1024 * 1024).optional(),
    cols: z.number().int().optional(),
    rows: z.number().int().optional(),
  }).strict(),
  /** The service's answer to a `ws-apply` (the database's verdict on the directory's changes). */
  z.object({
    t: z.literal('ws-applied'),
    id: z.number().int(),
    result: z.object({ written: z.array(z.string()).max(100_000), deleted: z.array(z.string()).max(100_000), rejected }).strict().optional(),
    error: z.string().optional(),
  }).strict(),
]);
export type WsChildMessage = z.input<typeof wsChildMessage>;
export type WsRequest = z.input<typeof op>;

export type UpsertWire = { path: string; name: string; content: string; encoding: 'utf8' | 'base64'; size: number };
export type RejectedWire = { rel: string; code: string; message: string };

export type WsParentMessage =
  | { t: 'ws-reply'; id: number; value?: unknown; error?: { family: 'caller' | 'system'; code: string; message: string; details?: Record<string, unknown> } }
  | { t: 'pty-data'; term: number; data: string }
  | { t: 'pty-exit'; term: number; exitCode: number; signal: number | null }
  /** The directory changed: the service writes it to the database and answers `ws-applied`. */
  | { t: 'ws-apply'; id: number; key: string; upserts: UpsertWire[]; deletes: string[] }
  | { t: 'ws-change'; key: string; event: { written: string[]; deleted: string[]; rejected: RejectedWire[]; skipped: { rel: string; reason: string }[] } };
