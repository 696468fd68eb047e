/** Lazy-loaded entry points of the duel pages (one chunk for the lobby and the room). */
export { DuelLobby as default } from './duels';
