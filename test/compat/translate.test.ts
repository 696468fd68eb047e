import http from 'node:http';
import type { AddressInfo } from 'node:net';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { checkCallbackUrl, isNonPublicAddress, sendCallback } from '../../src/compat/judge0/callback.js';
import { decimalSeconds, decode64, encode64, matchesExpected, selectFields, statusForSignal, stripOutput } from '../../src/compat/judge0/format.js';
import { type Judge0LanguageFacts, stripShellCharacters, translateSubmission } from '../../src/compat/judge0/request.js';
import { judge0Settings } from '../../src/compat/judge0/settings.js';
import { type PistonRuntime, resolveRuntime, runtimesFrom, translateExecute } from '../../src/compat/piston/request.js';
import { COMPAT_LANGUAGES } from '../../src/compat/languages.js';
import { loadConfig } from '../../src/config/config.js';
import type { LanguageInfo } from '../../src/engine/languages/registry.js';

/** The pure translation functions of both compatibility layers, table-tested. */

describe('Judge0 formats', () => {
  it('encode64 is Ruby Base64.encode64: a newline after every 60 characters and at the end', () => {
    const cases: [string, string][] = [
      ['', ''],
      ['hello, Judge0\n', 'aGVsbG8sIEp1ZGdlMAo=\n'],
      ['a'.repeat(45), `${'YWFh'.repeat(15)}\n`],
      ['a'.repeat(46), `${'YWFh'.repeat(15)}\nYQ==\n`],
    ];
    for (const [input, out] of cases) expect(encode64(input), JSON.stringify(input)).toBe(out);
  });

  it('decode64 is lenient: newlines and characters outside the alphabet are skipped', () => {
    expect(decode64('aGVsbG8s\nIEp1ZGdlMAo=\n').toString()).toBe('hello, Judge0\n');
    expect(decode64('aGVs*bG8=').toString()).toBe('hello');
    expect(decode64('').length).toBe(0);
  });

  it('decimal seconds as Judge0 prints them', () => {
    const cases: [number, string][] = [
      [0, '0.0'],
      [0.001, '0.001'],
      [5, '5.0'],
      [1.25, '1.25'],
      [0.0126, '0.013'],
    ];
    for (const [n, s] of cases) expect(decimalSeconds(n)).toBe(s);
  });

  it('expected_output: per-line trailing whitespace and trailing blank lines are dropped, nothing else', () => {
    const cases: [string | null, string | null, boolean][] = [
      ['1 2\n', null, true],
      ['1 2\n', '1 2', true],
      ['1 2  \r\n3\t\n\n\n', '1 2\n3', true],
      ['1 2\n', ' 1 2', false],
      ['1\n\n2\n', '1\n2', false],
      ['1 2', '1  2', false],
      [null, '', false],
      ['', '', false],
      [null, null, true],
    ];
    for (const [stdout, expected, ok] of cases) expect(matchesExpected(stdout, expected), JSON.stringify([stdout, expected])).toBe(ok);
    expect(stripOutput('a \nb\t\n\n')).toBe('a\nb');
  });

  it('signals map as isolate_job.rb maps them', () => {
    expect([11, 25, 8, 6, 9, 4, null].map(statusForSignal)).toEqual([7, 8, 9, 10, 12, 12, 12]);
  });

  it('fields: defaults and explicit lists in schema order, * for all, unknown names listed', () => {
    expect(selectFields(undefined)).toEqual({ fields: ['stdout', 'time', 'memory', 'stderr', 'token', 'compile_output', 'message', 'status'] });
    expect(selectFields('status,token')).toEqual({ fields: ['token', 'status'] });
    expect(selectFields('token,nope,status_id,zzz')).toEqual({ invalid: ['nope', 'zzz'] });
    // `*` is Judge0's set exactly (judge0-python refuses unknown keys); the extension only when named.
    const all = selectFields('*');
    expect('fields' in all && all.fields.length).toBe(35);
    expect('fields' in all && all.fields.includes('muscode')).toBe(false);
    const withExt = selectFields('*,muscode');
    expect('fields' in withExt && withExt.fields.at(-1)).toBe('muscode');
    expect(selectFields('muscode,status')).toEqual({ fields: ['status', 'muscode'] });
  });

  it('shell characters are stripped from arguments', () => {
    expect(stripShellCharacters('a $b & c; <d> |e `f`')).toBe('a b  c d e f');
  });
});

describe('Judge0 request translation', () => {
  const settings = judge0Settings(loadConfig({}, {}));
  const python: Judge0LanguageFacts = { ourId: 'python', available: true, compiled: false, sourceFile: 'main.py' };
  const c: Judge0LanguageFacts = { ourId: 'c', available: true, compiled: true, sourceFile: 'main.c', takesCompilerOptions: true };
  const project: Judge0LanguageFacts = { ourId: 'multifile', available: true, compiled: true, sourceFile: 'run', project: true };
  const archived: Judge0LanguageFacts = { ...python, available: false };
  const langs = (id: number) => ({ 71: python, 50: c, 1: archived, 89: project })[id];

  it('units: seconds to ms, KB to bytes; defaults when null or absent', () => {
    const t = translateSubmission({ source_code: 'x', language_id: 71, cpu_time_limit: '2.5', memory_limit: 100_000, wall_time_limit: null }, false, langs, settings);
    expect(t.ok).toBe(true);
    if (!t.ok) return;
    expect(t.input.limits).toEqual({ cpuMs: 2500, wallMs: 10_000, memoryBytes: 100_000 * 1024, processes: settings.maxProcesses.default, fileBytes: 1024 * 1024 });
    expect(t.stored).toMatchObject({ cpu_time_limit: 2.5, wall_time_limit: 10, memory_limit: 100_000, number_of_runs: 1 });
    expect(t.input.files).toEqual([{ name: 'main.py', content: 'x' }]);
  });

  it('base64 inputs are decoded (source, stdin as bytes, expected_output)', () => {
    const t = translateSubmission({ source_code: 'cHJpbnQoMSk=\n', language_id: '71', stdin: '/w==', expected_output: 'MQ==' }, true, langs, settings);
    expect(t.ok && t.input.files![0]!.content).toBe('print(1)');
    expect(t.ok && t.input.stdin).toEqual(Buffer.from([0xff]));
    expect(t.ok && t.stored.expected_output).toBe('1');
  });

  it('errors collect per field with Rails wording', () => {
    const t = translateSubmission({ language_id: 1, cpu_time_limit: -1, max_processes_and_or_threads: 500, stack_limit: 'x' }, false, langs, settings);
    expect(t).toEqual({
      ok: false,
      errors: {
        language_id: ['language with id 1 is archived and cannot be used anymore'],
        source_code: ["can't be blank"],
        cpu_time_limit: ['must be greater than 0.0'],
        stack_limit: ['is not a number'],
        max_processes_and_or_threads: [`must be less than or equal to ${settings.maxProcesses.max}`],
      },
    });
  });

  it('compiler_options: the shell characters deleted, split into arguments; only for compiled languages; refused when disabled', () => {
    const co = translateSubmission({ source_code: 'int main(){}', language_id: 50, compiler_options: ' -O3  -DX=$1;`id` -Wall|' }, false, langs, settings);
    expect(co.ok && co.input.compileOptions).toEqual(['-O3', '-DX=1id', '-Wall']);
    expect(co.ok && co.stored.compiler_options).toBe(' -O3  -DX=1id -Wall');
    const py = translateSubmission({ source_code: 'x', language_id: 71, compiler_options: '-O' }, false, langs, settings);
    expect(py).toEqual({ ok: false, errors: { compiler_options: ['setting compiler options is only allowed for compiled languages'] } });
    const off = translateSubmission({ source_code: 'x', language_id: 50, compiler_options: '-O' }, false, langs, { ...settings, compilerOptionsEnabled: false });
    expect(off).toEqual({ ok: false, errors: { compiler_options: ['setting compiler options is not allowed'] } });
    const long = translateSubmission({ source_code: 'x', language_id: 50, compiler_options: '-O'.repeat(300) }, false, langs, settings);
    expect(long).toEqual({ ok: false, errors: { compiler_options: ['is too long (maximum is 512 characters)'] } });
  });

  it('number_of_runs > 1 becomes a repetition with the expected output; 1 is a plain run', () => {
    const t = translateSubmission({ source_code: 'x', language_id: 71, number_of_runs: 3, expected_output: 'ok' }, false, langs, settings);
    expect(t.ok && t.input.repeat).toEqual({ times: 3, expectedStdout: 'ok' });
    const one = translateSubmission({ source_code: 'x', language_id: 71 }, false, langs, settings);
    expect(one.ok && one.input.repeat).toBeUndefined();
    expect(translateSubmission({ source_code: 'x', language_id: 71, number_of_runs: 21 }, false, langs, settings)).toEqual({
      ok: false,
      errors: { number_of_runs: ['must be less than or equal to 20'] },
    });
  });

  it('language 89: no source_code, additional_files required and holding run', () => {
    expect(translateSubmission({ language_id: 89 }, false, langs, settings)).toEqual({ ok: false, errors: { additional_files: ["can't be blank"] } });
    expect(translateSubmission({ language_id: 89, source_code: 'echo', additional_files: 'eA==' }, false, langs, settings)).toMatchObject({
      ok: false,
      errors: { source_code: ['must be blank'] },
    });
  });

  it('callback_url: only listed hosts, only http(s), no credentials', () => {
    const allowed = ['hooks.example.com', '127.0.0.1'];
    expect(checkCallbackUrl('https://hooks.example.com/x', allowed)).toBeNull();
    expect(checkCallbackUrl('http://127.0.0.1:9999/x', allowed)).toBeNull();
    expect(checkCallbackUrl('http://evil.example.com/', allowed)).toMatch(/not allowed/);
    expect(checkCallbackUrl('ftp://hooks.example.com/', allowed)).toMatch(/http or https/);
    expect(checkCallbackUrl('http://u:p@hooks.example.com/', allowed)).toMatch(/credentials/);
    expect(checkCallbackUrl('not a url', allowed)).toMatch(/valid URL/);
  });

  it('non-public addresses', () => {
    const cases: [string, boolean][] = [
      ['127.0.0.1', true],
      ['10.1.2.3', true],
      ['172.16.0.1', true],
      ['172.32.0.1', false],
      ['192.168.1.1', true],
      ['169.254.169.254', true],
      ['100.64.0.1', true],
      ['0.0.0.0', true],
      ['8.8.8.8', false],
      ['::1', true],
      ['fe80::1', true],
      ['fd00::1', true],
      ['::ffff:127.0.0.1', true],
      ['2001:4860:4860::8888', false],
    ];
    for (const [ip, yes] of cases) expect(isNonPublicAddress(ip), ip).toBe(yes);
  });
});

describe('callback delivery', () => {
  let target: http.Server;
  let redirected: http.Server;
  let redirectedHits = 0;
  let targetHits = 0;
  beforeAll(async () => {
    redirected = http.createServer((_req, res) => {
      redirectedHits++;
      res.end();
    });
    await new Promise<void>((r) => redirected.listen(0, '127.0.0.1', r));
    target = http.createServer((req, res) => {
      targetHits++;
      req.resume();
      res.writeHead(307, { location: `http://127.0.0.1:${(redirected.address() as AddressInfo).port}/` }).end();
    });
    await new Promise<void>((r) => target.listen(0, '127.0.0.1', r));
  });
  afterAll(async () => {
    await new Promise((r) => target.close(r));
    await new Promise((r) => redirected.close(r));
  });

  it('never follows a redirect', async () => {
    const port = (target.address() as AddressInfo).port;
    const r = await sendCallback(`http://127.0.0.1:${port}/cb`, { token: 't' }, ['127.0.0.1']);
    expect(r).toEqual({ delivered: true, status: 307 });
    expect(targetHits).toBe(1);
    expect(redirectedHits).toBe(0);
  });

  it('a listed name that resolves to loopback is refused (only a listed address may be non-public)', async () => {
    const port = (target.address() as AddressInfo).port;
    const before = targetHits;
    const r = await sendCallback(`http://localhost:${port}/cb`, {}, ['localhost']);
    expect(r.delivered).toBe(false);
    expect(r.refused).toMatch(/non-public/);
    expect(targetHits).toBe(before);
  });
});

describe('Piston translation', () => {
  const info = (id: string, version: string, extensions: string[]): LanguageInfo => ({
    id,
    name: id,
    aliases: [],
    extensions,
    version,
    compiled: false,
    available: true,
  });
  const runtimes: PistonRuntime[] = runtimesFrom(
    [info('python', '3.11.7', ['.py']), info('javascript', '20.20.2', ['.js']), info('c', '12', ['.c', '.h']), { ...info('ruby', '3.1.2', ['.rb']), available: false }],
    (id) => ({ python: 'main.py', javascript: 'main.js', c: 'main.c' })[id] ?? 'main',
  );
  const limits = loadConfig({}, {}).limits;

  it('runtimes: only available languages; versions coerced to semver', () => {
    expect(runtimes.map((r) => [r.language, r.version])).toEqual([
      ['c', '12.0.0'],
      ['javascript', '20.20.2'],
      ['python', '3.11.7'],
    ]);
  });

  it('version matching', () => {
    const cases: [string, string, string | undefined][] = [
      ['python', '*', 'python'],
      ['python', '3', 'python'],
      ['python', '3.x', 'python'],
      ['python', '^3.9', 'python'],
      ['python', '3.11.7', 'python'],
      ['python', '3.10.0', 'python'],
      ['py3', '3.10.0', 'python'],
      ['python', '3.11', 'python'], // a partial version is the range 3.11.x
      ['python', 'latest', undefined],
      ['python', '2.7.18', undefined],
      ['Python', '*', undefined],
      ['node-js', '18.15.0', 'javascript'],
      ['gcc', '10.2.0', 'c'],
      ['ruby', '*', undefined],
    ];
    for (const [lang, version, want] of cases) {
      expect(resolveRuntime(runtimes, lang, version)?.language, `${lang} ${version}`).toBe(want);
    }
  });

  it('the main file gets the language default name when its extension is not the language’s; stdin gets a newline', () => {
    const t = translateExecute({ language: 'c', version: '*', files: [{ content: 'int main(){}' }, { name: 'util.h', content: '' }], stdin: 'x' }, runtimes, limits);
    expect(t.ok && t.input.files!.map((f) => f.name)).toEqual(['main.c', 'util.h']);
    expect(t.ok && t.input.stdin).toBe('x\n');
    const same = translateExecute({ language: 'python', version: '*', files: [{ name: 'prog.py', content: '' }], stdin: '' }, runtimes, limits);
    expect(same.ok && same.input.files![0]!.name).toBe('prog.py');
    expect(same.ok && same.input.stdin).toBe('');
  });

  it('limits: ms and bytes onto our limits; -1 memory is "no limit asked"; 0 is skipped', () => {
    const t = translateExecute(
      { language: 'python', version: '*', files: [{ content: '' }], run_timeout: 3000, run_cpu_time: 2000, run_memory_limit: 64_000_000, compile_memory_limit: -1, compile_timeout: 0 },
      runtimes,
      limits,
    );
    expect(t.ok && t.input.limits).toEqual({ wallMs: 3000, cpuMs: 2000, memoryBytes: 64_000_000 });
  });

  it('every language of the table has a distinct Judge0 id and Piston name', () => {
    expect(new Set(COMPAT_LANGUAGES.map((l) => l.judge0.id)).size).toBe(COMPAT_LANGUAGES.length);
    expect(new Set(COMPAT_LANGUAGES.map((l) => l.piston.language)).size).toBe(COMPAT_LANGUAGES.length);
  });
});
