import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { api, startTestServer, type TestServer } from '../helpers/app.js';
import { makeZip } from '../helpers/zip-writer.js';

/** Smoke test: both compatibility APIs in cluster mode (PostgreSQL, Redis/BullMQ, a worker). */
describe('compatibility APIs (cluster)', () => {
  let server: TestServer;
  beforeAll(async () => {
    server = await startTestServer({ mode: 'cluster', config: { ANONYMOUS_EXECUTE: '1' } });
  });
  afterAll(async () => server?.stop());

  it('Judge0: wait=true and polling; Piston: execute with interleaved output', async () => {
    const waited = await api<Record<string, unknown>>(server, 'POST', '/judge0/submissions?wait=true&base64_encoded=true', {
      body: { source_code: Buffer.from('print(input() * 2)').toString('base64'), stdin: Buffer.from('ab').toString('base64'), language_id: 71 },
    });
    expect(waited.status).toBe(201);
    expect(waited.body).toMatchObject({ stdout: 'YWJhYgo=\n', status: { id: 3, description: 'Accepted' } });
    const again = await api<Record<string, unknown>>(server, 'GET', `/judge0/submissions/${String(waited.body.token)}?fields=status_id,stdin`);
    expect(again.body).toEqual({ stdin: 'ab', status_id: 3 });

    const res = await api<{ run: { stdout: string; stderr: string; output: string; code: number } }>(server, 'POST', '/piston/api/v2/execute', {
      body: { language: 'python', version: '*', files: [{ content: 'import sys\nprint("out")\nprint("err", file=sys.stderr)' }] },
    });
    expect(res.status).toBe(200);
    expect(res.body.run).toMatchObject({ stdout: 'out\n', stderr: 'err\n', code: 0 });
    expect(res.body.run.output.split('\n').sort()).toEqual(['', 'err', 'out']);
  });

  it('Judge0 language 89, compiler_options and number_of_runs through the stored request and a worker', async () => {
    const zip = makeZip([
      { name: 'compile', data: 'gcc -o prog main.c\n' },
      { name: 'run', data: './prog\n' },
      { name: 'main.c', data: '#include <stdio.h>\nint main(void) { puts("multi"); return 0; }\n' },
    ]).toString('base64');
    const multi = await api<Record<string, unknown>>(server, 'POST', '/judge0/submissions?wait=true', { body: { language_id: 89, additional_files: zip } });
    expect(multi.body).toMatchObject({ stdout: 'multi\n', status: { id: 3 } });
    const opts = await api<Record<string, unknown>>(server, 'POST', '/judge0/submissions?wait=true&fields=stdout,status,number_of_runs', {
      body: { language_id: 50, source_code: '#include <stdio.h>\nint main(void) { printf("%d\\n", N); return 0; }\n', compiler_options: '-DN=7', number_of_runs: 2, expected_output: '7' },
    });
    expect(opts.body).toEqual({ stdout: '7\n', number_of_runs: 2, status: { id: 3, description: 'Accepted' } });
  });
});
