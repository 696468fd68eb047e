/**
 * Rooms (issue 10): roles and what each may do. The server enforces these; the web UI only
 * mirrors them.
 */
export const ROOM_ROLES = ['interviewer', 'candidate', 'viewer'] as const;
export type RoomRole = (typeof ROOM_ROLES)[number];

/** Who is acting in a room: a participant row (accounts and guests alike). */
export interface RoomIdentity {
  roomId: string;
  participantId: string;
  /** Null for a guest. */
  userId: string | null;
  displayName: string;
  role: RoomRole;
  color: string;
}

export function canEdit(role: RoomRole): boolean {
  return role !== 'viewer';
}
export function canRun(role: RoomRole): boolean {
  return role !== 'viewer';
}
export function isInterviewer(role: RoomRole): boolean {
  return role === 'interviewer';
}

/** The shared document: the code of the room's one file, and the shared stdin and arguments. */
export const DOC_FIELDS = { code: 'code', stdin: 'stdin', args: 'args' } as const;

/** Hocuspocus document name of a room. */
export const docName = (roomId: string) => `room:${roomId}`;
const DOC_RE = /^room:([0-9a-f]{8}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{12})$/;
export function roomIdOf(documentName: string): string | null {
  return DOC_RE.exec(documentName)?.[1] ?? null;
}

/** Distinct, readable cursor colours; a participant gets the next one. */
export const COLORS = ['#e6194b', '#3cb44b', '#4363d8', '#f58231', '#911eb4', '#42d4f4', '#f032e6', '#9a6324', '#469990', '#800000'];
