import { CallerError, ErrorCodes } from '../../errors.js';

/** Every package problem is the caller's: they uploaded or named the package. */
export function invalid(message: string, path?: string, reason?: string): CallerError {
  return new CallerError(ErrorCodes.packageInvalid, message, details(path, reason));
}

export function unsafePath(message: string, path: string, reason: string): CallerError {
  return new CallerError(ErrorCodes.packageUnsafePath, message, { path, reason });
}

export function badSymlink(message: string, path: string, reason: 'outside' | 'absolute' | 'dangling' | 'loop'): CallerError {
  return new CallerError(ErrorCodes.packageBadSymlink, message, { path, reason });
}

export function tooLarge(message: string, limit: string, max: number, path?: string): CallerError {
  return new CallerError(ErrorCodes.packageTooLarge, message, { limit, max, ...(path === undefined ? {} : { path }) });
}

function details(path?: string, reason?: string): Record<string, unknown> | undefined {
  if (path === undefined && reason === undefined) return undefined;
  return { ...(path === undefined ? {} : { path }), ...(reason === undefined ? {} : { reason }) };
}
