import { randomBytes } from 'node:crypto';
import fs from 'node:fs';
import path from 'node:path';
import type { RunningServer } from '../../src/server/serve.js';
import { api, registerUser } from './app.js';
import { makeZip, type ZipItem } from './zip-writer.js';

/** A registered user with the given role and an access token that carries it. */
export async function userWithRole(server: RunningServer, role: 'user' | 'author' | 'admin') {
  const u = await registerUser(server);
  if (role === 'user') return u;
  await server.platform.ctx.database.query('UPDATE users SET role = $1 WHERE id = $2', [role, u.userId]);
  // The role travels in the access token: a new login gives one with it.
  const res = await api<{ data: { token: string } }>(server, 'POST', '/api/v1/auth/login', { body: { email: u.email, password: u.password } });
  if (res.status !== 200) throw new Error(`login failed: ${res.status} ${JSON.stringify(res.body)}`);
  return { ...u, token: res.body.data.token };
}

/** A slug no other test uses. */
export function uniqueSlug(stem: string): string {
  return `${stem}-${randomBytes(4).toString('hex')}`;
}

/** Zips a package given as `path → content`, inside one top-level folder (as `zip -r slug.zip slug/` makes). */
export function zipPackage(files: Record<string, string | Buffer>, top = 'pkg'): Buffer {
  return makeZip(Object.entries(files).map(([name, data]) => ({ name: `${top}/${name}`, data, method: 'deflate' }) satisfies ZipItem));
}

/** Zips a package folder (for example a test fixture), file by file. */
export function zipFolder(dir: string): Buffer {
  const items: ZipItem[] = [];
  const walk = (rel: string) => {
    for (const e of fs.readdirSync(path.join(dir, rel), { withFileTypes: true })) {
      const r = rel === '' ? e.name : `${rel}/${e.name}`;
      if (e.isDirectory()) walk(r);
      else items.push({ name: `${path.basename(dir)}/${r}`, data: fs.readFileSync(path.join(dir, r)), method: 'deflate' });
    }
  };
  walk('');
  return makeZip(items);
}

/** POST /problems/import with the archive in the `file` part. */
export async function uploadPackage<T = unknown>(
  server: { url: string },
  token: string | undefined,
  zip: Buffer,
  opts: { filename?: string; query?: string; field?: string; extraFiles?: { field: string; name: string; data: Buffer }[] } = {},
): Promise<{ status: number; body: T; text: string; headers: Headers }> {
  const form = new FormData();
  form.append(opts.field ?? 'file', new Blob([zip], { type: 'application/zip' }), opts.filename ?? 'package.zip');
  for (const f of opts.extraFiles ?? []) form.append(f.field, new Blob([f.data]), f.name);
  const res = await fetch(`${server.url}/api/v1/problems/import${opts.query ? `?${opts.query}` : ''}`, {
    method: 'POST',
    headers: token ? { authorization: `Bearer ${token}` } : {},
    body: form,
  });
  const text = await res.text();
  let body: unknown = text;
  try {
    body = JSON.parse(text);
  } catch {
    // not JSON
  }
  return { status: res.status, body: body as T, text, headers: res.headers };
}

/**
 * Hidden test values no program, message or statement would print by chance: the hidden-data
 * test searches every response for them.
 */
export const HIDDEN = {
  a: '7310486259',
  b: '4402917735',
  sum: '11713403994',
  c: '6029384756',
  d: '1000000007',
  sum2: '7029384763',
} as const;

/**
 * A Kattis (2025-09) pass-fail package: read two integers, print their sum. One sample (2 3 → 5)
 * and two hidden tests made of HIDDEN's values; 1 s, 64 MiB.
 */
export function sumPackage(title: string): Record<string, string> {
  return {
    'problem.yaml': [
      'problem_format_version: 2025-09',
      `name: ${title}`,
      'uuid: 3f0a6f2e-2026-4000-8000-000000000042',
      'license: cc0',
      'keywords: [math, api-test]',
      'limits:',
      '  time_limit: 1',
      '  memory: 64',
      '',
    ].join('\n'),
    'statement/problem.en.md': `# ${title}\n\nRead two integers $a$ and $b$ and print $a + b$.\n`,
    'data/sample/1.in': '2 3\n',
    'data/sample/1.ans': '5\n',
    'data/secret/1.in': `${HIDDEN.a} ${HIDDEN.b}\n`,
    'data/secret/1.ans': `${HIDDEN.sum}\n`,
    'data/secret/2.in': `${HIDDEN.c} ${HIDDEN.d}\n`,
    'data/secret/2.ans': `${HIDDEN.sum2}\n`,
  };
}

/** Programs for sumPackage, one per verdict. */
export const PROGRAMS = {
  ac: { language: 'python', code: 'a, b = map(int, input().split())\nprint(a + b)\n' },
  acC: { language: 'c', code: '#include <stdio.h>\nint main(void){long long a,b;scanf("%lld %lld",&a,&b);printf("%lld\\n",a+b);return 0;}\n' },
  /** Right on the sample, wrong on the hidden tests. */
  waHidden: { language: 'python', code: 'a, b = map(int, input().split())\nprint(a + b if a < 100 else a - b)\n' },
  /** Wrong on the sample: prints 6 for "2 3". */
  waSample: { language: 'python', code: 'a, b = map(int, input().split())\nprint(a + b + 1)\n' },
  tle: { language: 'python', code: 'while True:\n    pass\n' },
  rte: { language: 'python', code: 'import sys\nsys.exit(3)\n' },
  ce: { language: 'c', code: 'int main(void) { this is not C; }\n' },
  /** Touches 200 MiB under a 64 MiB limit. */
  mle: { language: 'python', code: 'x = bytearray(200 * 1024 * 1024)\nfor i in range(0, len(x), 4096):\n    x[i] = 1\nprint(len(x))\n' },
  /** Sleeps on a test so that a cancel or the socket can catch it running. */
  slow: { language: 'python', code: 'import time\na, b = map(int, input().split())\ntime.sleep(0.4)\nprint(a + b)\n' },
} as const;
