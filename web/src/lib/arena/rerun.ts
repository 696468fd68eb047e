/**
 * The program's output on a sample, for the diff view when the judge did not keep it: the
 * submission's own code (as judged) run once more on that input, as an execution
 * (`POST /problems/{slug}/run` with `stdin`, `?wait=true`; polled when the wait ran out).
 */
import type { SubmissionView } from '../../api/arena-types';
import { api } from '../../api/session';
import type { Execution } from '../../api/types';

const FINAL = new Set(['completed', 'timeout', 'failed', 'cancelled']);

export type Rerun = (input: string) => Promise<string>;

/** null when the view has no code (only its owner, the problem's author and admins see it). */
export function rerunFor(view: SubmissionView | null, fallbackCode?: string): Rerun | null {
  if (!view) return null;
  const files = view.files ?? [];
  let program: Record<string, unknown>;
  if (files.length === 1) program = { language: view.language, code: files[0]!.content };
  else if (files.length > 1) program = { language: view.language, files, mainFile: files[0]!.name };
  else if (fallbackCode !== undefined) program = { language: view.language, code: fallbackCode };
  else return null;
  return async (input: string) => {
    let ex = await api.post<Execution>(`/problems/${encodeURIComponent(view.problemSlug)}/run`, { ...program, stdin: input }, { query: { wait: true } });
    for (let i = 0; !FINAL.has(ex.status) && i < 120; i++) {
      await new Promise((r) => setTimeout(r, 500));
      ex = await api.get<Execution>(`/execute/${ex.executionId}`);
    }
    return ex.output ?? '';
  };
}
