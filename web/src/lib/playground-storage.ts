/**
 * The playground's work survives a reload: code per language, stdin, args, time limit, the
 * chosen language, in local storage. Unreadable or foreign data is ignored, never trusted.
 */
import { DEFAULT_OUTPUT_GLOBS } from './artifacts';

export interface PlaygroundDraft {
  language: string;
  code: Record<string, string>;
  stdin: string;
  args: string;
  timeLimit: string;
  /** Ask for output files matching `outputGlobs` (issue 13). */
  showFiles: boolean;
  outputGlobs: string;
  /** Ask for the CPU/memory timeline. */
  timeline: boolean;
  /** Run interactively on a terminal: type into the running program (the console under the output). */
  interactive: boolean;
}

const KEY = 'muscode.playground.v1';

export const emptyDraft: PlaygroundDraft = { language: 'python', code: {}, stdin: '', args: '', timeLimit: '', showFiles: false, outputGlobs: DEFAULT_OUTPUT_GLOBS, timeline: false, interactive: false };

export function loadDraft(storage: Pick<Storage, 'getItem'> | undefined = safeLocalStorage()): PlaygroundDraft {
  try {
    const raw = storage?.getItem(KEY);
    if (!raw) return emptyDraft;
    const v = JSON.parse(raw) as Partial<PlaygroundDraft>;
    const code: Record<string, string> = {};
    if (v.code && typeof v.code === 'object') {
      for (const [k, c] of Object.entries(v.code)) if (typeof c === 'string') code[k] = c;
    }
    return {
      language: typeof v.language === 'string' ? v.language : emptyDraft.language,
      code,
      stdin: typeof v.stdin === 'string' ? v.stdin : '',
      args: typeof v.args === 'string' ? v.args : '',
      timeLimit: typeof v.timeLimit === 'string' ? v.timeLimit : '',
      showFiles: v.showFiles === true,
      outputGlobs: typeof v.outputGlobs === 'string' ? v.outputGlobs : DEFAULT_OUTPUT_GLOBS,
      timeline: v.timeline === true,
      interactive: v.interactive === true,
    };
  } catch {
    return emptyDraft;
  }
}

export function saveDraft(d: PlaygroundDraft, storage: Pick<Storage, 'setItem'> | undefined = safeLocalStorage()): void {
  try {
    storage?.setItem(KEY, JSON.stringify(d));
  } catch {
    // Full or disabled storage: the draft lives as long as the page.
  }
}

function safeLocalStorage(): Storage | undefined {
  try {
    return typeof localStorage === 'undefined' ? undefined : localStorage;
  } catch {
    return undefined;
  }
}
