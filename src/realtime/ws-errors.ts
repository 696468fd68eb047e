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
  INTERNAL_ERROR: 4500,
};

export function wsErrorCode(err: unknown): string {
  if (err instanceof MuscodeError) return err instanceof CallerError || err.code === 'VALIDATION_ERROR' ? err.code : 'INTERNAL_ERROR';
  return 'INTERNAL_ERROR';
}

export function wsCloseCode(err: unknown): number {
  return WS_CLOSE_CODES[wsErrorCode(err)] ?? 4500;
}
