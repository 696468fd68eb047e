import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { repeatRuns } from '../../src/executions/repeat.js';
import type { RunResult, StageResult } from '../../src/engine/types.js';
import { api, startTestServer, type TestServer } from '../helpers/app.js';
import { makeZip } from '../helpers/zip-writer.js';

/**
 * Issue 12, the Judge0 gaps: language 89 (multi-file program with `compile` and `run` scripts),
 * compiler_options (the reference's character stripping, reaching the real compiler) and
 * number_of_runs (repeated in one job, stopping at the first non-Accepted run, mean time and
 * memory), with real programs in the real sandbox.
 */

type Sub = Record<string, unknown> & { status: { id: number; description: string }; muscode: { verdict: string } };

const zip64 = (files: Record<string, string>) => makeZip(Object.entries(files).map(([name, data]) => ({ name, data }))).toString('base64');

describe('Judge0 gaps with real programs', () => {
  let server: TestServer;
  let engineRuns = 0;
  beforeAll(async () => {
    server = await startTestServer({ config: { ANONYMOUS_EXECUTE: '1' } });
    // Count the real engine's runs (number_of_runs repeats them within one job).
    const engine = server.engine as { run: (...a: unknown[]) => Promise<unknown> };
    const run = engine.run.bind(engine);
    engine.run = (...a: unknown[]) => {
      engineRuns++;
      return run(...a);
    };
  });
  afterAll(async () => server?.stop());

  const submit = async (body: Record<string, unknown>) => {
    const res = await api<Sub>(server, 'POST', '/judge0/submissions?wait=true&fields=*,muscode', { body });
    expect(res.status, JSON.stringify(res.body)).toBe(201);
    return res.body;
  };

  it('language 89: compile builds, run runs with stdin and arguments; a failing compile is status 6; no compile script is fine', async () => {
    const program = {
      compile: 'gcc -O2 -o greet greet.c util.c\n',
      run: './greet "$@"\n',
      'greet.c': '#include <stdio.h>\nint twice(int);\nint main(int c, char **v) {\n  char n[32];\n  scanf("%31s", n);\n  printf("hello %s %d %s\\n", n, twice(21), c > 1 ? v[1] : "-");\n  return 0;\n}\n',
      'util.c': 'int twice(int x) { return 2 * x; }\n',
    };
    const ok = await submit({ language_id: 89, additional_files: zip64(program), stdin: 'judge\n', command_line_arguments: 'arg1', expected_output: 'hello judge 42 arg1' });
    expect(ok).toMatchObject({ status: { id: 3 }, stdout: 'hello judge 42 arg1\n', source_code: null, compile_output: null, language: { id: 89, name: 'Multi-file program' } });

    const broken = await submit({ language_id: 89, additional_files: zip64({ ...program, 'util.c': 'int twice(int x) { return 2 * x }\n' }) });
    expect(broken.status).toEqual({ id: 6, description: 'Compilation Error' });
    expect(broken.compile_output).toMatch(/error/);
    expect(broken).toMatchObject({ stdout: null, time: null, memory: null });

    const scriptOnly = await submit({ language_id: 89, additional_files: zip64({ run: 'python3 -c "print(6*7)"\nexit 3\n' }) });
    expect(scriptOnly).toMatchObject({ stdout: '42\n', status: { id: 11 }, exit_code: 3 });

    const noRun = await api<Record<string, string[]>>(server, 'POST', '/judge0/submissions', { body: { language_id: 89, additional_files: zip64({ compile: 'true\n' }) } });
    expect(noRun.status).toBe(422);
    expect(noRun.body).toEqual({ additional_files: ['must contain a run script (a file named run)'] });
    const withSource = await api<Record<string, string[]>>(server, 'POST', '/judge0/submissions', { body: { language_id: 89, source_code: 'echo hi', additional_files: zip64(program) } });
    expect(withSource.status).toBe(422);
    expect(withSource.body).toEqual({ source_code: ['must be blank'] });

    const lang = await api<Record<string, unknown>>(server, 'GET', '/judge0/languages/89');
    expect(lang.body).toMatchObject({ id: 89, name: 'Multi-file program', is_archived: false, source_file: null, compile_cmd: '/usr/bin/bash compile', run_cmd: '/usr/bin/bash run' });
    const list = await api<{ id: number }[]>(server, 'GET', '/judge0/languages');
    expect(list.body.some((l) => l.id === 89)).toBe(true);
    // Unlisted on the main API: the language list stays the fourteen.
    const native = await api<{ data: { id: string }[] }>(server, 'GET', '/api/v1/languages');
    expect(native.body.data.some((l) => l.id === 'multifile')).toBe(false);
  });

  it('compiler_options reach the compiler after the reference strips $ & ; < > | and backtick', async () => {
    const src = '#include <stdio.h>\nint main(void) { int unused; printf("%d\\n", ANSWER); return 0; }\n';
    const defined = await submit({ language_id: 50, source_code: src, compiler_options: '-DANSWER=4$2' });
    expect(defined).toMatchObject({ status: { id: 3 }, stdout: '42\n', compiler_options: '-DANSWER=42' });
    const strict = await submit({ language_id: 50, source_code: src, compiler_options: '-DANSWER=1 -Wall -Werror' });
    expect(strict.status.id).toBe(6);
    expect(strict.compile_output).toMatch(/unused/);
    const cpp = await submit({ language_id: 54, source_code: '#include <iostream>\nint main() { std::cout << __cplusplus << "\\n"; }\n', compiler_options: '-std=c++20' });
    // The caller's -std comes after ours, so it wins (Judge0 passes it to its compiler the same way).
    expect(cpp.stdout).toBe('202002\n');
    const py = await api<Record<string, string[]>>(server, 'POST', '/judge0/submissions', { body: { language_id: 71, source_code: 'print(1)', compiler_options: '-O' } });
    expect(py.status).toBe(422);
    expect(py.body).toEqual({ compiler_options: ['setting compiler options is only allowed for compiled languages'] });
    const config = await api<Record<string, unknown>>(server, 'GET', '/judge0/config_info');
    expect(config.body.enable_compiler_options).toBe(true);
  });

  it('max_file_size (KB) bounds one written file as isolate -f does: past it, SIGXFSZ, status 8', async () => {
    const c = '#include <stdio.h>\nint main(void) {\n  FILE *f = fopen("big.bin", "wb");\n  static char buf[1 << 16];\n  for (int i = 0; i < 32; i++) fwrite(buf, 1, sizeof buf, f);\n  fclose(f);\n  puts("wrote");\n  return 0;\n}\n';
    const dflt = await submit({ language_id: 50, source_code: c });
    expect(dflt).toMatchObject({ status: { id: 8, description: 'Runtime Error (SIGXFSZ)' }, exit_signal: 25, max_file_size: 1024 });
    const raised = await submit({ language_id: 50, source_code: c, max_file_size: 4096 });
    expect(raised).toMatchObject({ status: { id: 3 }, stdout: 'wrote\n' });
    // Python ignores SIGXFSZ and raises an error instead (under Judge0 too): status 11.
    const py = await submit({ language_id: 71, source_code: 'open("big.bin", "wb").write(b"x" * (2 << 20))' });
    expect(py.status.id).toBe(11);
    expect(String(py.stderr)).toMatch(/File too large/);
  });

  it('number_of_runs: runs N times in one job; stops at the first non-Accepted run (wrong answer or error)', async () => {
    let before = engineRuns;
    const three = await submit({ language_id: 71, source_code: 'print(sum(range(10**5)))', number_of_runs: 3, expected_output: '4999950000' });
    expect(three).toMatchObject({ status: { id: 3 }, stdout: '4999950000\n', number_of_runs: 3 });
    expect(engineRuns - before).toBe(3);
    expect(Number.isInteger(three.memory)).toBe(true);
    expect(Number(three.time)).toBeGreaterThan(0);

    before = engineRuns;
    const wrong = await submit({ language_id: 71, source_code: 'print(1)', number_of_runs: 4, expected_output: '2' });
    expect(wrong.status.id).toBe(4);
    expect(engineRuns - before).toBe(1);

    before = engineRuns;
    const crash = await submit({ language_id: 71, source_code: 'raise SystemExit(2)', number_of_runs: 5 });
    expect(crash.status.id).toBe(11);
    expect(engineRuns - before).toBe(1);
  });
});

describe('repeatRuns aggregation', () => {
  const stage = (cpuMs: number, memoryKb: number, wallMs: number, status: StageResult['status'] = 'ok', stdout = 'x\n'): RunResult => ({
    language: 'python',
    compile: null,
    run: { status, stdout: Buffer.from(stdout), stderr: Buffer.alloc(0), exitCode: 0, signal: null, cpuMs, wallMs, memoryKb, truncated: false },
  });

  it('averages CPU time and memory (integer) over the runs made, keeps the last wall time and outputs', async () => {
    const more = [stage(20, 3001, 70), stage(30, 3000, 80, 'ok', 'last\n')];
    const r = await repeatRuns(stage(10, 3000, 60), { times: 3 }, async () => more.shift()!);
    expect(r.run).toMatchObject({ cpuMs: 20, memoryKb: 3000, wallMs: 80 });
    expect(r.run!.stdout.toString()).toBe('last\n');
  });

  it('stops at the first run that fails or does not match the expected output', async () => {
    let calls = 0;
    const next = async () => {
      calls++;
      return calls === 1 ? stage(30, 1000, 5, 'runtime_error') : stage(1, 1, 1);
    };
    const r = await repeatRuns(stage(10, 3000, 5), { times: 5 }, next);
    expect(calls).toBe(1);
    expect(r.run).toMatchObject({ status: 'runtime_error', cpuMs: 20, memoryKb: 2000 });
    calls = 0;
    await repeatRuns(stage(10, 10, 1, 'ok', 'a  \n\n'), { times: 5, expectedStdout: 'b' }, next);
    expect(calls).toBe(0);
    const same = await repeatRuns(stage(10, 10, 1, 'ok', 'a  \n\n'), { times: 2, expectedStdout: 'a' }, async () => stage(30, 30, 1, 'ok', 'a\n'));
    expect(same.run!.cpuMs).toBe(20);
  });
});
