import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { WebSocket } from 'ws';
import { registerUser, startTestServer, type TestServer } from '../helpers/app.js';

/**
 * Piston's WebSocket /api/v2/connect driven by a real `ws` client (embedded mode, real sandbox):
 * the reference's frames (init, data, signal / runtime, stage, data, exit, error) and close codes.
 */
type Frame = Record<string, unknown> & { type: string };

interface Session {
  ws: WebSocket;
  frames: Frame[];
  send(frame: unknown): void;
  /** Resolves when a frame matching `pred` has arrived. */
  until(pred: (f: Frame) => boolean): Promise<Frame>;
  closed: Promise<{ code: number; reason: string }>;
}

function open(server: TestServer, path = '/piston/api/v2/connect', headers: Record<string, string> = {}): Promise<Session> {
  const ws = new WebSocket(`${server.url.replace('http', 'ws')}${path}`, { headers });
  const frames: Frame[] = [];
  const waiters: { pred: (f: Frame) => boolean; resolve: (f: Frame) => void }[] = [];
  ws.on('message', (m) => {
    const f = JSON.parse(String(m)) as Frame;
    frames.push(f);
    for (const w of [...waiters]) if (w.pred(f)) (waiters.splice(waiters.indexOf(w), 1), w.resolve(f));
  });
  const closed = new Promise<{ code: number; reason: string }>((resolve) => ws.on('close', (code, reason) => resolve({ code, reason: String(reason) })));
  return new Promise((resolve, reject) => {
    ws.once('open', () =>
      resolve({
        ws,
        frames,
        closed,
        send: (frame) => ws.send(typeof frame === 'string' ? frame : JSON.stringify(frame)),
        until: (pred) => {
          const seen = frames.find(pred);
          if (seen) return Promise.resolve(seen);
          return new Promise((res, rej) => {
            waiters.push({ pred, resolve: res });
            void closed.then(() => setTimeout(() => rej(new Error(`closed without the frame; got ${JSON.stringify(frames)}`)), 50));
          });
        },
      }),
    );
    ws.once('unexpected-response', (_req, res) => reject(new Error(`HTTP ${res.statusCode}`)));
    ws.once('error', reject);
  });
}

const stdout = (frames: Frame[]) => frames.filter((f) => f.type === 'data' && f.stream === 'stdout').map((f) => f.data).join('');

describe('Piston WebSocket /api/v2/connect', () => {
  let server: TestServer;
  beforeAll(async () => {
    server = await startTestServer({ config: { ANONYMOUS_EXECUTE: '1' } });
  });
  afterAll(async () => server?.stop());

  it("follows the readme's transcript: cat echoes stdin sent after the start; a signal ends it", async () => {
    const s = await open(server);
    s.send({ type: 'init', language: 'bash', version: '*', files: [{ content: 'cat' }] });
    const runtime = await s.until((f) => f.type === 'runtime');
    expect(runtime).toMatchObject({ type: 'runtime', language: 'bash' });
    expect(typeof runtime.version).toBe('string');
    await s.until((f) => f.type === 'stage');
    s.send({ type: 'data', stream: 'stdin', data: 'Hello World!\n' });
    await s.until((f) => f.type === 'data' && String(f.data).includes('Hello World!'));
    s.send({ type: 'signal', signal: 'SIGKILL' });
    const exit = await s.until((f) => f.type === 'exit');
    expect(exit).toEqual({ type: 'exit', stage: 'run', code: null, signal: 'SIGKILL' });
    expect(await s.closed).toEqual({ code: 4999, reason: 'Job Completed' });
    expect(s.frames.map((f) => f.type)).toEqual(['runtime', 'stage', 'data', 'exit']);
    expect(s.frames[1]).toEqual({ type: 'stage', stage: 'run' });
  });

  it('answers input() prompts, stderr as its own stream, and the exit code', async () => {
    const s = await open(server);
    s.send({ type: 'init', language: 'python', version: '3.x', files: [{ content: 'import sys\nn = input("n? ")\nprint("err", file=sys.stderr, flush=True)\nprint(int(n) * 2)\nsys.exit(3)' }], stdin: 'ignored\n' });
    await s.until((f) => f.type === 'data' && f.data === 'n? ');
    s.send({ type: 'data', stream: 'stdin', data: '21\n' });
    const exit = await s.until((f) => f.type === 'exit');
    expect(exit).toEqual({ type: 'exit', stage: 'run', code: 3, signal: null });
    expect(stdout(s.frames)).toBe('n? 42\n');
    expect(s.frames.some((f) => f.type === 'data' && f.stream === 'stderr' && f.data === 'err\n')).toBe(true);
    expect((await s.closed).code).toBe(4999);
  });

  it('a compiled language: compile then run stages; a compile error ends after the compile stage', async () => {
    const ok = await open(server);
    ok.send({ type: 'init', language: 'c', version: '*', files: [{ name: 'main.c', content: '#include <stdio.h>\nint main(){int x; if (scanf("%d",&x)==1) printf("%d\\n", x+1); return 0;}' }] });
    await ok.until((f) => f.type === 'stage' && f.stage === 'compile');
    ok.send({ type: 'data', stream: 'stdin', data: '41\n' });
    await ok.until((f) => f.type === 'exit' && f.stage === 'run');
    expect(ok.frames.filter((f) => f.type !== 'data')).toEqual([
      expect.objectContaining({ type: 'runtime', language: 'c' }),
      { type: 'stage', stage: 'compile' },
      { type: 'exit', stage: 'compile', code: 0, signal: null },
      { type: 'stage', stage: 'run' },
      { type: 'exit', stage: 'run', code: 0, signal: null },
    ]);
    expect(stdout(ok.frames)).toBe('42\n');

    const bad = await open(server);
    bad.send({ type: 'init', language: 'c', version: '*', files: [{ name: 'main.c', content: 'int main( { return 0; }' }] });
    const exit = await bad.until((f) => f.type === 'exit');
    expect(exit).toMatchObject({ type: 'exit', stage: 'compile' });
    expect(exit.code).not.toBe(0);
    expect(bad.frames.some((f) => f.type === 'data' && f.stream === 'stderr' && /error/.test(String(f.data)))).toBe(true);
    expect(bad.frames.some((f) => f.type === 'stage' && f.stage === 'run')).toBe(false);
    expect((await bad.closed).code).toBe(4999);
  });

  it('close codes: init twice, data and signal before init, stdout written, bad signal, init timeout', async () => {
    const twice = await open(server);
    twice.send({ type: 'init', language: 'python', version: '*', files: [{ content: 'input()' }] });
    await twice.until((f) => f.type === 'runtime');
    twice.send({ type: 'init', language: 'python', version: '*', files: [{ content: 'input()' }] });
    expect(await twice.closed).toEqual({ code: 4000, reason: 'Already Initialized' });

    const early = await open(server);
    early.send({ type: 'data', stream: 'stdin', data: 'x' });
    expect(await early.closed).toEqual({ code: 4003, reason: 'Not yet Initialized' });
    const earlySignal = await open(server);
    earlySignal.send({ type: 'signal', signal: 'SIGKILL' });
    expect((await earlySignal.closed).code).toBe(4003);

    const wrong = await open(server);
    wrong.send({ type: 'init', language: 'python', version: '*', files: [{ content: 'input()' }] });
    await wrong.until((f) => f.type === 'runtime');
    wrong.send({ type: 'data', stream: 'stdout', data: 'x' });
    expect(await wrong.closed).toEqual({ code: 4004, reason: 'Can only write to stdin' });

    const sig = await open(server);
    sig.send({ type: 'init', language: 'python', version: '*', files: [{ content: 'input()' }] });
    await sig.until((f) => f.type === 'runtime');
    sig.send({ type: 'signal', signal: 'SIGNOPE' });
    expect(await sig.closed).toEqual({ code: 4005, reason: 'Invalid signal' });

    const idle = await open(server);
    expect(await idle.closed).toEqual({ code: 4001, reason: 'Initialization Timeout' });
  });

  it('bad messages: malformed JSON and invalid init get an error frame, then 4002; a bad token is refused', async () => {
    const junk = await open(server);
    junk.send('{not json');
    const err = await junk.until((f) => f.type === 'error');
    expect(typeof err.message).toBe('string');
    expect(await junk.closed).toEqual({ code: 4002, reason: 'Notified Error' });

    const unknown = await open(server);
    unknown.send({ type: 'init', language: 'html', version: '5.0.0', files: [{ content: 'x' }] });
    expect(await unknown.until((f) => f.type === 'error')).toEqual({ type: 'error', message: 'html-5.0.0 runtime is unknown' });
    expect((await unknown.closed).code).toBe(4002);

    const noFiles = await open(server);
    noFiles.send({ type: 'init', language: 'python', version: '*' });
    expect(await noFiles.until((f) => f.type === 'error')).toEqual({ type: 'error', message: 'files is required as an array' });

    await expect(open(server, '/piston/api/v2/connect', { authorization: 'Bearer not-a-token' })).rejects.toThrow('HTTP 401');
    // A signed-in caller (access token as bearer) runs as that user.
    const user = await registerUser(server);
    const mine = await open(server, '/piston/api/v2/piston/connect', { authorization: `Bearer ${user.token}` });
    mine.send({ type: 'init', language: 'python', version: '*', files: [{ content: 'print("hi")' }] });
    expect((await mine.until((f) => f.type === 'exit')).code).toBe(0);
  });
});
