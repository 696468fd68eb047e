import { errors as joseErrors, jwtVerify, SignJWT } from 'jose';
import { CallerError, ErrorCodes } from '../errors.js';
import { HttpCodes } from '../server/http-errors.js';
import { ROOM_ROLES, type RoomRole } from './types.js';

/**
 * Room-scoped tokens, HS256 with the JWT secret but their own `typ`, so neither is ever taken
 * for an access token (verifyAccessJwt checks `typ: access`) nor the other way round.
 * - invite: {room, role, v}: v is the room's inviteVersion (bumping it revokes every link).
 * - room: {room, sub: participant id}: what a guest (or anyone who joined by link) presents;
 *   it expires with the room.
 */
const INVITE_TYP = 'room-invite';
const ROOM_TYP = 'room';
const enc = new TextEncoder();

export interface InviteClaims {
  roomId: string;
  role: RoomRole;
  version: number;
}

export async function signInvite(secret: string, c: InviteClaims, expiresAt: Date): Promise<string> {
  return new SignJWT({ typ: INVITE_TYP, room: c.roomId, role: c.role, v: c.version })
    .setProtectedHeader({ alg: 'HS256' })
    .setExpirationTime(Math.floor(expiresAt.getTime() / 1000))
    .sign(enc.encode(secret));
}

export async function signRoomToken(secret: string, roomId: string, participantId: string, expiresAt: Date): Promise<string> {
  return new SignJWT({ typ: ROOM_TYP, room: roomId })
    .setProtectedHeader({ alg: 'HS256' })
    .setSubject(participantId)
    .setIssuedAt()
    .setExpirationTime(Math.floor(expiresAt.getTime() / 1000))
    .sign(enc.encode(secret));
}

async function verify(secret: string, token: string, typ: string, code: string): Promise<Record<string, unknown>> {
  if (token.length > 4096 || !/^[A-Za-z0-9_-]+\.[A-Za-z0-9_-]+\.[A-Za-z0-9_-]*$/.test(token)) throw new CallerError(code, 'malformed token');
  try {
    const { payload } = await jwtVerify(token, enc.encode(secret), { algorithms: ['HS256'], requiredClaims: ['exp'] });
    if (payload.typ !== typ || typeof payload.room !== 'string') throw new CallerError(code, 'not a room token');
    return payload as Record<string, unknown>;
  } catch (err) {
    if (err instanceof CallerError) throw err;
    if (err instanceof joseErrors.JWTExpired) throw new CallerError(HttpCodes.tokenExpired, 'the room token has expired (the room did)');
    throw new CallerError(code, 'invalid room token');
  }
}

export async function verifyInvite(secret: string, token: string): Promise<InviteClaims> {
  const p = await verify(secret, token, INVITE_TYP, ErrorCodes.invalidInvite);
  if (!(ROOM_ROLES as readonly unknown[]).includes(p.role) || typeof p.v !== 'number') throw new CallerError(ErrorCodes.invalidInvite, 'invalid invite');
  return { roomId: p.room as string, role: p.role as RoomRole, version: p.v };
}

export async function verifyRoomToken(secret: string, token: string): Promise<{ roomId: string; participantId: string }> {
  const p = await verify(secret, token, ROOM_TYP, HttpCodes.invalidToken);
  if (typeof p.sub !== 'string') throw new CallerError(HttpCodes.invalidToken, 'invalid room token');
  return { roomId: p.room as string, participantId: p.sub };
}

/** A room token looks like a JWT, as an access token does; the `typ` tells them apart. */
export function tokenTyp(token: string): string | null {
  try {
    const body = JSON.parse(Buffer.from(token.split('.')[1] ?? '', 'base64url').toString('utf8')) as { typ?: unknown };
    return typeof body.typ === 'string' ? body.typ : null;
  } catch {
    return null;
  }
}
