/**
 * The terminal socket's binary protocol (docs/workspaces.md "Terminal protocol"), after ttyd's:
 * every WebSocket message is binary, its first byte the type, the rest the payload.
 *
 * Client to server:
 *   '0' INPUT   bytes typed (UTF-8 as the browser sends it; passed to the pty unchanged)
 *   '1' RESIZE  u16 cols, u16 rows (big-endian); clamped to 500 x 200
 *   '2' ACK     u32 bytes of OUTPUT the client has written to its screen since the last ACK
 * Server to client:
 *   '0' OUTPUT   bytes from the pty
 *   '1' SNAPSHOT the screen so far, serialised (escape sequences); sent first on every attach
 *   '2' HELLO    JSON { terminalId, readOnly, cols, rows }
 *   '3' EXIT     JSON { exitCode, signal }: the shell ended; the terminal is gone
 *   '4' EVENT    JSON { type: 'files' | 'sync-error' | 'status', ... }: workspace events
 */
export const In = { input: 0x30, resize: 0x31, ack: 0x32 } as const;
export const Out = { output: 0x30, snapshot: 0x31, hello: 0x32, exit: 0x33, event: 0x34 } as const;

/** Flow control: the pty is paused while a writer has more than HIGH unacknowledged bytes, resumed below LOW. */
export const HIGH_WATER = 256 * 1024;
export const LOW_WATER = 32 * 1024;
/** A read-only viewer that falls this far behind is closed (it reconnects and gets a snapshot). */
export const VIEWER_MAX_BUFFERED = 2 * 1024 * 1024;
/** Largest frame a client may send (a paste). */
export const MAX_CLIENT_FRAME = 64 * 1024;

export type ClientFrame =
  | { type: 'input'; data: Buffer }
  | { type: 'resize'; cols: number; rows: number }
  | { type: 'ack'; bytes: number };

export function decodeClientFrame(buf: Buffer): ClientFrame | null {
  if (buf.length === 0) return null;
  switch (buf[0]) {
    case In.input:
      return { type: 'input', data: buf.subarray(1) };
    case In.resize:
      return buf.length >= 5 ? { type: 'resize', cols: buf.readUInt16BE(1), rows: buf.readUInt16BE(3) } : null;
    case In.ack:
      return buf.length >= 5 ? { type: 'ack', bytes: buf.readUInt32BE(1) } : null;
    default:
      return null;
  }
}

export function frame(type: number, payload: Buffer | string): Buffer {
  const body = typeof payload === 'string' ? Buffer.from(payload, 'utf8') : payload;
  const out = Buffer.allocUnsafe(body.length + 1);
  out[0] = type;
  body.copy(out, 1);
  return out;
}

export function jsonFrame(type: number, value: unknown): Buffer {
  return frame(type, JSON.stringify(value));
}
