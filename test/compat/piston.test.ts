import { piston } from 'piston-client';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { api, startTestServer, type TestServer } from '../helpers/app.js';

/** Piston v2 clients' behaviour against our server (embedded mode, real sandbox). */

interface Stage {
  stdout: string;
  stderr: string;
  output: string;
  code: number | null;
  signal: string | null;
  message: string | null;
  status: string | null;
  cpu_time: number | null;
  wall_time: number | null;
  memory: number | null;
}
interface Executed {
  language: string;
  version: string;
  run: Stage;
  compile?: Stage;
}
interface Runtime {
  language: string;
  version: string;
  aliases: string[];
  runtime?: string;
}

describe('Piston v2 compatible API (embedded)', () => {
  let server: TestServer;
  let runtimes: Runtime[];
  const exec = (body: unknown) => api<Executed & { message?: string }>(server, 'POST', '/piston/api/v2/execute', { body });
  beforeAll(async () => {
    server = await startTestServer({ config: { ANONYMOUS_EXECUTE: '1' } });
    runtimes = (await api<Runtime[]>(server, 'GET', '/piston/api/v2/runtimes')).body;
  });
  afterAll(async () => server?.stop());

  it('GET /api/v2/runtimes: language, version, aliases, and runtime only for multi-language packages', async () => {
    const py = runtimes.find((r) => r.language === 'python')!;
    expect(Object.keys(py)).toEqual(['language', 'version', 'aliases']);
    expect(py.version).toMatch(/^3\.\d+\.\d+$/);
    expect(py.aliases).toContain('py');
    const cpp = runtimes.find((r) => r.language === 'c++')!;
    expect(cpp).toMatchObject({ runtime: 'gcc', aliases: ['cpp', 'g++'] });
    expect(Object.keys(runtimes.find((r) => r.language === 'javascript')!)).toEqual(['language', 'version', 'aliases', 'runtime']);
    // The public host's path works too.
    expect((await api<Runtime[]>(server, 'GET', '/piston/api/v2/piston/runtimes')).body).toEqual(runtimes);
  });

  it('POST /api/v2/execute: the response shape, units, and no compile stage for an interpreted language', async () => {
    const py = runtimes.find((r) => r.language === 'python')!;
    const res = await exec({ language: 'py', version: '*', files: [{ content: 'import sys\nprint(sys.argv[1:])' }], args: ['x', 'y'] });
    expect(res.status).toBe(200);
    expect(Object.keys(res.body)).toEqual(['run', 'language', 'version']);
    expect(res.body).toMatchObject({ language: 'python', version: py.version });
    const run = res.body.run;
    expect(Object.keys(run)).toEqual(['stdout', 'stderr', 'output', 'code', 'signal', 'message', 'status', 'cpu_time', 'wall_time', 'memory']);
    expect(run).toMatchObject({ stdout: "['x', 'y']\n", stderr: '', output: "['x', 'y']\n", code: 0, signal: null, message: null, status: null });
    expect(Number.isInteger(run.cpu_time)).toBe(true);
    expect(Number.isInteger(run.wall_time)).toBe(true);
    // Bytes, not KB: a Python interpreter takes megabytes.
    expect(run.memory!).toBeGreaterThan(1_000_000);
  });

  it('the languages of `make languages` answer to Piston names, aliases and versions (rscript, r, lua 5.4.4)', async () => {
    expect(runtimes.find((r) => r.language === 'rscript')?.aliases).toContain('r');
    expect(runtimes.find((r) => r.language === 'csharp')).toMatchObject({ runtime: 'mono' });
    const lua = await exec({ language: 'lua', version: '5.4.4', files: [{ content: 'print(#arg, arg[1])' }], args: ['x'] });
    expect(lua.status, JSON.stringify(lua.body)).toBe(200);
    expect(lua.body.run.stdout).toBe('1\tx\n');
  });

  it('version matching: semver ranges, the exact versions tutorials hard-code, and unknown ones', async () => {
    const py = runtimes.find((r) => r.language === 'python')!;
    const major = py.version.split('.')[0]!;
    for (const version of ['*', major, `${major}.x`, `^${major}.0`, py.version, '3.10.0', '3.12.0']) {
      const res = await exec({ language: 'python', version, files: [{ content: 'print(1)' }] });
      expect(res.status, version).toBe(200);
      expect(res.body.version).toBe(py.version);
    }
    for (const version of ['latest', '2', '2.7.18', '99.0.0']) {
      const res = await exec({ language: 'python', version, files: [{ content: 'print(1)' }] });
      expect(res.status, version).toBe(400);
      expect(res.body).toEqual({ message: `python-${version} runtime is unknown` });
    }
    // Names and aliases are case-sensitive, as in Piston.
    expect((await exec({ language: 'Python', version: '*', files: [{ content: 'print(1)' }] })).body).toEqual({ message: 'Python-* runtime is unknown' });
  });

  it('400 texts, in Piston order', async () => {
    const ok = { language: 'python', version: '*', files: [{ content: 'print(1)' }] };
    const cases: [unknown, string][] = [
      [{}, 'language is required as a string'],
      [{ language: 'python' }, 'version is required as a string'],
      [{ language: 'python', version: '*' }, 'files is required as an array'],
      [{ language: 'python', version: '*', files: [{ content: 'x' }, { name: 'a.py' }] }, 'files[1].content is required as a string'],
      [{ language: 'html', version: '5.0.0', files: [{ content: 'x' }] }, 'html-5.0.0 runtime is unknown'],
      [{ ...ok, files: [{ content: 'cHJpbnQoMSk=', encoding: 'base64' }] }, 'files must include at least one utf8 encoded file'],
      [{ ...ok, run_timeout: 'soon' }, 'If specified, run_timeout must be a number'],
      [{ ...ok, run_timeout: 10_000_000 }, `run_timeout cannot exceed the configured limit of ${server.config.limits.run.max.wallMs}`],
      [{ ...ok, run_memory_limit: -5 }, 'run_memory_limit must be non-negative'],
      [{ ...ok, compile_memory_limit: 'x', run_timeout: 'y' }, 'If specified, compile_memory_limit must be a number'],
    ];
    for (const [body, message] of cases) {
      const res = await exec(body);
      expect(res.status, message).toBe(400);
      expect(res.body).toEqual({ message });
    }
  });

  it('files: utf8, base64 and hex encodings; files[0] is the main file', async () => {
    const res = await exec({
      language: 'python',
      version: '3',
      files: [
        { name: 'main.py', content: 'import helper, other\nprint(helper.X, other.Y)' },
        { name: 'helper.py', content: Buffer.from('X = "b64"\n').toString('base64'), encoding: 'base64' },
        { name: 'other.py', content: Buffer.from('Y = "hex"\n').toString('hex'), encoding: 'hex' },
      ],
    });
    expect(res.body.run.stdout).toBe('b64 hex\n');
  });

  it('output interleaves stdout and stderr in the order written; stdin gets its newline', async () => {
    // The engine delivers live output in batches of up to 25 ms per stream
    // (src/engine/sandbox/output-coalescer.ts): writes further apart keep their order.
    const res = await exec({
      language: 'python',
      version: '*',
      files: [
        {
          content:
            'import sys, time\nprint("a", flush=True)\ntime.sleep(0.3)\nprint("B", file=sys.stderr, flush=True)\ntime.sleep(0.3)\nprint("c", flush=True)\nprint(repr(sys.stdin.read()))',
        },
      ],
      stdin: 'in',
    });
    expect(res.body.run.stdout).toBe("a\nc\n'in\\n'\n");
    expect(res.body.run.stderr).toBe('B\n');
    expect(res.body.run.output).toBe("a\nB\nc\n'in\\n'\n");
  });

  it('compiled languages: a compile stage; a failed compile makes run a copy of compile', async () => {
    const good = await exec({ language: 'c', version: '*', files: [{ content: '#include <stdio.h>\nint main(void){ puts("hi"); return 0; }' }] });
    expect(good.status).toBe(200);
    expect(good.body.compile).toMatchObject({ code: 0, status: null });
    expect(good.body.run).toMatchObject({ stdout: 'hi\n', code: 0 });
    const bad = await exec({ language: 'c', version: '10.2.0', files: [{ content: 'int main(void){ return y; }' }] });
    expect(bad.status).toBe(200);
    expect(bad.body.compile!.code).not.toBe(0);
    expect(bad.body.compile!.stderr).toMatch(/y/);
    expect(bad.body.run).toEqual(bad.body.compile);
  });

  it('a timeout is status TO, signal SIGKILL, code null; a non-zero exit is RE with its code', async () => {
    const to = await exec({ language: 'python', version: '*', files: [{ content: 'while True: pass' }], run_timeout: 800, run_cpu_time: 500 });
    expect(to.body.run).toMatchObject({ status: 'TO', signal: 'SIGKILL', code: null });
    const re = await exec({ language: 'python', version: '*', files: [{ content: 'raise SystemExit(4)' }] });
    expect(re.body.run).toMatchObject({ status: 'RE', code: 4, signal: null, message: 'Exited with error status 4' });
  });

  it('a body without a JSON Content-Type is parsed as JSON (piston-client sends none)', async () => {
    const res = await fetch(`${server.url}/piston/api/v2/execute`, {
      method: 'POST',
      body: JSON.stringify({ language: 'python', version: '*', files: [{ content: 'print(2)' }] }),
    });
    expect(res.headers.get('content-type')).toMatch(/json/);
    expect(((await res.json()) as Executed).run.stdout).toBe('2\n');
    const malformed = await fetch(`${server.url}/piston/api/v2/execute`, { method: 'POST', body: '{"language":' });
    expect(malformed.status).toBe(400);
    expect(Object.keys((await malformed.json()) as object)).toEqual(['stack']);
  });

  it('piston-client (npm) runs code against us unchanged', async () => {
    const client = piston({ server: `${server.url}/piston` });
    const rts = (await client.runtimes()) as Runtime[];
    expect(rts.some((r) => r.language === 'python')).toBe(true);
    const result = (await client.execute('python', 'import sys\nprint(sys.argv[1:])')) as Executed;
    // piston-client's default args are ["1", "2", "3"].
    expect(result.run.stdout).toBe("['1', '2', '3']\n");
    const js = (await client.execute('javascript', 'console.log(6 * 7)')) as Executed;
    expect(js.run.stdout).toBe('42\n');
  });

  it('packages are read-only; unknown routes are 404 {message}', async () => {
    const pk = await api<{ language: string; language_version: string; installed: boolean }[]>(server, 'GET', '/piston/api/v2/packages');
    expect(pk.body.find((p) => p.language === 'python')).toMatchObject({ installed: true });
    const install = await api<{ message: string }>(server, 'POST', '/piston/api/v2/packages', { body: { language: 'python', version: '3.12.0' } });
    expect(install.status).toBe(501);
    expect(install.body.message).toMatch(/does not install/);
    expect((await api(server, 'GET', '/piston/')).body).toEqual({ message: 'Piston v3.1.1' });
    const missing = await api(server, 'GET', '/piston/api/v2/nothing');
    expect(missing).toMatchObject({ status: 404, body: { message: 'Not Found' } });
  });
});
