import { execFile } from 'node:child_process';
import fs from 'node:fs';
import path from 'node:path';
import { promisify } from 'node:util';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { REPO_ROOT } from '../../src/config/config.js';
import { api, type Mode, registerUser, startTestServer, type TestServer } from '../helpers/app.js';
import type { ProjectJson } from './helpers.js';

/**
 * The "done when": the README's "Projects with curl" block, run as written with bash and
 * curl against a real server (only the address is changed), does the whole flow. A README that
 * drifts from the API fails here.
 */

const run = promisify(execFile);

function readmeBlock(): string {
  const readme = fs.readFileSync(path.join(REPO_ROOT, 'README.md'), 'utf8');
  const section = readme.slice(readme.indexOf('## Projects with curl'));
  const m = /```sh\n([\s\S]*?)```/.exec(section);
  if (!m) throw new Error('README has no "Projects with curl" shell block');
  return m[1]!;
}

for (const mode of ['embedded', 'cluster'] as Mode[]) {
  describe(`README: projects with curl (${mode})`, () => {
    let server: TestServer;
    beforeAll(async () => {
      server = await startTestServer({ mode });
    });
    afterAll(async () => server?.stop());

    it('creates a Java project, adds Helper.java, runs it, makes it public; another user forks, stars and comments', async () => {
      const ada = await registerUser(server, 'ada');
      const host = new URL(server.url).host;
      const script = `set -euo pipefail\n${readmeBlock().replaceAll('localhost:3000', host)}`;
      const { stdout } = await run('bash', ['-c', script], {
        env: { PATH: `${path.dirname(process.execPath)}:/usr/bin:/bin`, TOKEN: ada.token },
        timeout: 120_000,
      });
      expect(stdout).toContain('"output":"hello, world\\n"');
      expect(stdout).toContain('{"success":true,"data":{"starred":true,"starCount":1}}');
      // The fork's run, printed by `data output` (a real newline, unlike the JSON answers' "\\n").
      expect(stdout).toMatch(/hello, world\n/);

      // And the state it left, read through the API.
      const mine = await api<{ data: { projects: ProjectJson[] } }>(server, 'GET', '/api/v1/projects?scope=public');
      const greeter = mine.body.data.projects.find((p) => p.name === 'Greeter')!;
      expect(greeter).toMatchObject({ visibility: 'public', language: 'java', starCount: 1, fileCount: 2, owner: { username: 'ada' } });
      const detail = await api<{ data: ProjectJson }>(server, 'GET', `/api/v1/projects/${greeter.id}`);
      expect(detail.body.data.files.map((f) => f.name).sort()).toEqual(['Helper.java', 'Main.java']);
      const comments = await api<{ data: { comments: { content: string; author: { username: string } }[] } }>(server, 'GET', `/api/v1/projects/${greeter.id}/comments`);
      expect(comments.body.data.comments).toMatchObject([{ content: 'Nice helper!', author: { username: 'bob' } }]);
      const bob = await api<{ data: { statistics: { totalProjects: number; starsGiven: number; totalExecutions: number | null } } }>(server, 'GET', '/api/v1/users/bob');
      // To others, only public things count: bob's runs are his business (red-team I4).
      expect(bob.body.data.statistics).toMatchObject({ starsGiven: 1, totalExecutions: null });
      const runs = await api<{ data: { executions: { projectId: string; output: string }[] } }>(server, 'GET', '/api/v1/execute', { token: ada.token });
      expect(runs.body.data.executions).toMatchObject([{ projectId: greeter.id, output: 'hello, world\n' }]);
    });
  });
}
