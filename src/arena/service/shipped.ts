/**
 * The problems shipped with MUSCode (ARENA_PROBLEMS_DIR, default the checkout's `problems/`):
 * at API startup every package there whose slug the database does not hold yet is imported,
 * published, with no author. Existing problems are never touched (an admin's edits stay), so
 * restarts are cheap; replicas starting together race on the unique slug and one wins.
 */
import fs from 'node:fs';
import path from 'node:path';
import { ErrorCodes, MuscodeError } from '../../errors.js';
import { slugify } from '../packages/common.js';
import type { ProblemService } from './problems.js';

export interface ShippedImport {
  slug: string;
  /** imported, or skipped because the slug exists, or failed (with the error). */
  outcome: 'imported' | 'exists' | 'failed';
  error?: string;
}

export async function importShippedProblems(problems: ProblemService, dir: string): Promise<ShippedImport[]> {
  if (!fs.existsSync(dir)) return [];
  const out: ShippedImport[] = [];
  for (const name of fs.readdirSync(dir).sort()) {
    const abs = path.join(dir, name);
    const st = fs.statSync(abs);
    const isArchive = st.isFile() && /\.(zip|kpp)$/i.test(name);
    if (!st.isDirectory() && !isArchive) continue;
    if (name.startsWith('.')) continue;
    const slug = slugify(name);
    if (await problems.bySlug(slug)) {
      out.push({ slug, outcome: 'exists' });
      continue;
    }
    try {
      const source = isArchive ? { zip: fs.readFileSync(abs), filename: name } : { dir: abs };
      await problems.importPackage(null, source, { publish: true });
      out.push({ slug, outcome: 'imported' });
    } catch (err) {
      if (err instanceof MuscodeError && err.code === ErrorCodes.problemExists) out.push({ slug, outcome: 'exists' });
      else out.push({ slug, outcome: 'failed', error: err instanceof Error ? err.message : String(err) });
    }
  }
  return out;
}
