import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { io, type Socket } from 'socket.io-client';
import { LANGUAGES } from '../../src/engine/languages/registry.js';
import { STARTER_OUTPUT } from '../../src/projects/starters.js';
import { api, type Mode, registerUser, startTestServer, type TestServer } from '../helpers/app.js';
import { waitFor } from '../helpers/async.js';
import { addFile, createProject, type ExecJson, expectError, runProject } from './helpers.js';

/**
 * Running a project: its files go to the engine as one multi-file program (the engine sees
 * "dir/name"), with the same result shape, ?wait=true and socket.io events as executions, and
 * the execution row linked to the project.
 */

type Files = { path: string; name: string; content: string }[];

const JAVA: Files = [
  {
    path: '/',
    name: 'Main.java',
    content:
      'import com.example.Util;\n\npublic class Main {\n  public static void main(String[] args) {\n' +
      '    System.out.println(Helper.greet("java") + " " + Util.twice(21));\n  }\n}\n',
  },
  { path: '/', name: 'Helper.java', content: 'public class Helper {\n  static String greet(String who) { return "hello from " + who; }\n}\n' },
  { path: '/com/example', name: 'Util.java', content: 'package com.example;\n\npublic class Util {\n  public static int twice(int x) { return 2 * x; }\n}\n' },
];

const PYTHON: Files = [
  { path: '/', name: 'main.py', content: 'import sys\nfrom pkg.util import shout\nfrom pkg import VERSION\nprint(shout(sys.stdin.read().strip()), VERSION, sys.argv[1:])\n' },
  { path: '/pkg', name: '__init__.py', content: 'VERSION = "1.0"\n' },
  { path: '/pkg', name: 'util.py', content: 'from .inner.deep import bang\n\ndef shout(s):\n    return bang(s.upper())\n' },
  { path: '/pkg/inner', name: '__init__.py', content: '' },
  { path: '/pkg/inner', name: 'deep.py', content: 'def bang(s):\n    return s + "!"\n' },
];

const CPP: Files = [
  { path: '/', name: 'main.cpp', content: '#include <iostream>\n#include "include/greet.hpp"\n\nint main() {\n  std::cout << greet("cpp") << std::endl;\n}\n' },
  { path: '/include', name: 'greet.hpp', content: '#pragma once\n#include <string>\n\nstd::string greet(const std::string& who);\n' },
  { path: '/src', name: 'greet.cpp', content: '#include "../include/greet.hpp"\n\nstd::string greet(const std::string& who) { return "hello from " + who; }\n' },
];

const GO: Files = [
  { path: '/', name: 'main.go', content: 'package main\n\nimport (\n\t"fmt"\n\t"main/mathx"\n)\n\nfunc main() {\n\tfmt.Println(greet("go"), mathx.Square(7))\n}\n' },
  { path: '/', name: 'greet.go', content: 'package main\n\nfunc greet(who string) string {\n\treturn "hello from " + who\n}\n' },
  { path: '/mathx', name: 'mathx.go', content: 'package mathx\n\nfunc Square(x int) int { return x * x }\n' },
];

/** A project of `language` whose starter main file is replaced by `files[0]`, plus the other files. */
async function projectWith(server: TestServer, token: string, language: string, files: Files, visibility = 'private') {
  const p = await createProject(server, token, { name: `${language} multi-file`, language, visibility });
  const [main, ...rest] = files;
  const starter = p.files[0]!;
  const res = await api(server, 'PUT', `/api/v1/projects/${p.id}/files/${starter.id}`, { token, body: { name: main!.name, path: main!.path, content: main!.content } });
  expect(res.status, JSON.stringify(res.body)).toBe(200);
  for (const f of rest) await addFile(server, token, p.id, f);
  return p;
}

for (const mode of ['embedded', 'cluster'] as Mode[]) {
  describe(`running projects (${mode})`, () => {
    let server: TestServer;
    let token: string;
    let other: string;
    beforeAll(async () => {
      server = await startTestServer({ mode });
      token = (await registerUser(server)).token;
      other = (await registerUser(server)).token;
    });
    afterAll(async () => server?.stop());

    it('Java: Main.java + Helper.java + a class in a package directory', async () => {
      const p = await projectWith(server, token, 'java', JAVA);
      const r = await runProject(server, token, p.id);
      expect(r, r.compilationError ?? '').toMatchObject({ status: 'completed', verdict: 'ok', output: 'hello from java 42\n', projectId: p.id });
    });

    it('Python: a package directory with a subpackage and relative imports, with stdin and args', async () => {
      const p = await projectWith(server, token, 'python', PYTHON);
      const r = await runProject(server, token, p.id, { stdin: 'hi\n', args: ['a b', '--x'] });
      expect(r).toMatchObject({ status: 'completed', verdict: 'ok', output: "HI! 1.0 ['a b', '--x']\n", error: '' });
    });

    it('C++: a header in include/ and a second translation unit in src/', async () => {
      const p = await projectWith(server, token, 'cpp', CPP);
      const r = await runProject(server, token, p.id);
      expect(r, r.compilationError ?? '').toMatchObject({ status: 'completed', verdict: 'ok', output: 'hello from cpp\n' });
    });

    it('Go: several files of package main and a sub-package', async () => {
      const p = await projectWith(server, token, 'go', GO);
      const r = await runProject(server, token, p.id);
      expect(r, r.compilationError ?? '').toMatchObject({ status: 'completed', verdict: 'ok', output: 'hello from go 49\n' });
    });

    it('reports a compile error of a multi-file project like any execution', async () => {
      const p = await projectWith(server, token, 'java', [JAVA[0]!, { path: '/', name: 'Helper.java', content: 'public class Helper { broken }\n' }]);
      const r = await runProject(server, token, p.id);
      expect(r.verdict).toBe('compile_error');
      expect(r.compilationError).toMatch(/Helper\.java/);
    });

    it("every language's new project runs as created", async () => {
      const failures: string[] = [];
      for (const lang of LANGUAGES) {
        const p = await createProject(server, token, { language: lang.id });
        const r = await runProject(server, token, p.id);
        if (r.output !== STARTER_OUTPUT || r.verdict !== 'ok') failures.push(`${lang.id}: ${JSON.stringify(r).slice(0, 300)}`);
      }
      expect(failures).toEqual([]);
    });

    it('links the execution to the project; queued runs can be polled; a reader runs a public project as themselves', async () => {
      const p = await createProject(server, token, { visibility: 'public' });
      const started = await api<{ data: { executionId: string; status: string } }>(server, 'POST', `/api/v1/projects/${p.id}/run`, { token: other, body: {} });
      expect(started.body.data.status).toBe('queued');
      let final: ExecJson | undefined;
      await waitFor('the run to finish', async () => {
        const got = await api<{ data: ExecJson }>(server, 'GET', `/api/v1/execute/${started.body.data.executionId}`, { token: other });
        if (['queued', 'running'].includes(got.body.data.status)) return false;
        final = got.body.data;
        return true;
      }, 60_000);
      expect(final).toMatchObject({ status: 'completed', output: STARTER_OUTPUT, projectId: p.id });
      // The run is the runner's, not the owner's.
      expectError(await api(server, 'GET', `/api/v1/execute/${started.body.data.executionId}`, { token }), 404, 'NOT_FOUND');
    });

    it('streams a project run over socket.io like any execution', async () => {
      const p = await createProject(server, token, { language: 'python' });
      await api(server, 'PUT', `/api/v1/projects/${p.id}/files/${p.files[0]!.id}`, {
        token,
        body: { content: 'import time\nprint("one", flush=True)\ntime.sleep(0.3)\nprint("two", flush=True)\n' },
      });
      const socket: Socket = io(server.url, { path: '/ws', auth: { token }, transports: ['websocket'], reconnection: false, forceNew: true });
      try {
        await new Promise<void>((resolve, reject) => {
          socket.once('connect', resolve);
          socket.once('connect_error', reject);
        });
        const output: string[] = [];
        let result: { output: string; projectId: string } | null = null;
        socket.on('execution:output', (e: { data: string }) => output.push(e.data));
        socket.on('execution:complete', (e: { result: { output: string; projectId: string } }) => (result = e.result));
        const started = await api<{ data: { executionId: string } }>(server, 'POST', `/api/v1/projects/${p.id}/run`, { token, body: {} });
        const ack = await socket.timeout(10_000).emitWithAck('subscribe:execution', { executionId: started.body.data.executionId });
        expect(ack).not.toHaveProperty('error');
        await waitFor('execution:complete', () => result !== null, 60_000);
        expect(output.join('')).toBe('one\ntwo\n');
        expect(result).toMatchObject({ output: 'one\ntwo\n', projectId: p.id });
      } finally {
        socket.disconnect();
      }
    });
  });
}
