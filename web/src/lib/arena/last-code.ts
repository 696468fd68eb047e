/**
 * The user's last code per problem and language, and the last language per problem, in local
 * storage, so that coming back to a problem (or switching languages and back) finds the code as
 * it was. Unreadable storage is ignored; a full one keeps the code for the page's lifetime only.
 */
type Get = Pick<Storage, 'getItem'>;
type Set = Pick<Storage, 'setItem' | 'removeItem'>;

const PREFIX = 'muscode.arena.v1';
/** Code bigger than this is not stored (local storage is a few MB for the whole site). */
export const MAX_STORED_CHARS = 256 * 1024;

export const codeKey = (slug: string, language: string) => `${PREFIX}.code:${slug}:${language}`;
export const languageKey = (slug: string) => `${PREFIX}.lang:${slug}`;

function storage(): Storage | undefined {
  try {
    return typeof localStorage === 'undefined' ? undefined : localStorage;
  } catch {
    return undefined;
  }
}

export function loadCode(slug: string, language: string, s: Get | undefined = storage()): string | null {
  try {
    const v = s?.getItem(codeKey(slug, language));
    return typeof v === 'string' ? v : null;
  } catch {
    return null;
  }
}

export function saveCode(slug: string, language: string, code: string, s: Set | undefined = storage()): boolean {
  try {
    if (!s) return false;
    if (code.length > MAX_STORED_CHARS) return false;
    s.setItem(codeKey(slug, language), code);
    return true;
  } catch {
    return false;
  }
}

export function forgetCode(slug: string, language: string, s: Set | undefined = storage()): void {
  try {
    s?.removeItem(codeKey(slug, language));
  } catch {
    // nothing to do
  }
}

/** The language last used on this problem, if the problem still allows it. */
export function loadLanguage(slug: string, allowed: readonly string[], s: Get | undefined = storage()): string | null {
  try {
    const v = s?.getItem(languageKey(slug));
    return v && allowed.includes(v) ? v : null;
  } catch {
    return null;
  }
}

export function saveLanguage(slug: string, language: string, s: Set | undefined = storage()): void {
  try {
    s?.setItem(languageKey(slug), language);
  } catch {
    // nothing to do
  }
}

/** The first language to show: the last used here, else a preferred one the problem allows, else its first. */
export function pickLanguage(allowed: readonly string[], last: string | null, preferred: readonly string[] = ['python', 'cpp', 'c', 'java', 'javascript']): string | null {
  if (last && allowed.includes(last)) return last;
  for (const p of preferred) if (allowed.includes(p)) return p;
  return allowed[0] ?? null;
}
