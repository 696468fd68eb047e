import { CallerError, MuscodeError } from '../errors.js';

/**
 * The one place where errors become WebSocket answers. socket.io acknowledgements carry
 * `{ error: { code } }` with the same stable codes as HTTP; raw WebSocket endpoints (terminal,
 * collaboration) close with these codes (4000-4999 is the application range).
 */
export const WS_CLOSE_CODES: Record<string, number> = {
  UNAUTHORIZED: 4401,
  INVALID_TOKEN: 4401,
  TOKEN_EXPIRED: 4401,
  FORBIDDEN: 4403,
  NOT_FOUND: 4404,
  VALIDATION_ERROR: 4400,
  RATE_LIMITED: 4429,
  // Rooms (src/rooms/collab.ts): closed at expiry or End, a document or message too large.
  ROOM_CLOSED: 4410,
  DOCUMENT_TOO_LARGE: 4413,
  PAYLOAD_TOO_LARGE: 4413,
  INVALID_INVITE: 4401,
  INTERNAL_ERROR: 4500,
};

export function wsErrorCode(err: unknown): string {
  if (err instanceof MuscodeError) return err instanceof CallerError || err.code === 'VALIDATION_ERROR' ? err.code : 'INTERNAL_ERROR';
  return 'INTERNAL_ERROR';
}

export function wsCloseCode(err: unknown): number {
  return WS_CLOSE_CODES[wsErrorCode(err)] ?? 4500;
}

/** What a socket.io acknowledgement carries for a failure. */
export interface WsErrorAnswer {
  error: { code: string; message: string };
}

/** Where internal failures are logged (the app's pino logger). */
export interface WsLog {
  error(obj: object, msg?: string): void;
}

/**
 * The one way an error becomes a socket answer (red-team L2: the ack of a malformed id carried
 * the SQL text and its parameters). A caller's error keeps its message; anything else is logged
 * here with its detail and answered with a stable code and a generic message.
 */
export function wsErrorAnswer(err: unknown, log?: WsLog, event?: string): WsErrorAnswer {
  const code = wsErrorCode(err);
  if (err instanceof CallerError) return { error: { code, message: err.message } };
  log?.error({ err, event }, 'socket event failed');
  return { error: { code, message: 'internal error' } };
}
