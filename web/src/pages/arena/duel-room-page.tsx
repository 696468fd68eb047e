/** Lazy-loaded entry point of the duel room. */
export { DuelRoom as default } from './duels';
