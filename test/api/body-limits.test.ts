import net from 'node:net';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { bodyLimitsFor, countJsonValues, JSON_ESCAPE_FACTOR, maxJsonValuesFor } from '../../src/server/body-limits.js';
import { api, registerUser, startTestServer, type TestServer } from '../helpers/app.js';

/**
 * Red-team H1 and I6: request bodies are bounded per route, JSON with more values than a route
 * can use is refused before it is parsed, and a body trickled in is cut by the request timeout.
 * Every attack is sent for real over a socket; the server runs in this process, so its memory is
 * this process's RSS.
 */

const MiB = 2 ** 20;

interface RawAnswer {
  head: string;
  status: number;
  body: string;
  /** The server closed the connection. */
  closed: boolean;
  /** Body bytes the client managed to write before the answer or the close. */
  sent: number;
}

/**
 * Sends `head`, then body chunks from `chunk()` until it returns null, the answer arrives or the
 * connection closes; resolves with the answer once the server closes the connection or the
 * answer is complete. Write errors after the server gave up (EPIPE, ECONNRESET) are expected.
 */
function rawRequest(url: string, head: string, chunk: () => Buffer | null): Promise<RawAnswer> {
  const { hostname, port } = new URL(url);
  return new Promise((resolve, reject) => {
    const socket = net.connect({ host: hostname, port: Number(port) });
    let received = '';
    let sent = 0;
    let answered = false;
    let settled = false;
    const finish = (closed: boolean) => {
      if (settled) return;
      const at = received.indexOf('\r\n\r\n');
      if (at < 0 && !closed) return;
      const head = at < 0 ? received : received.slice(0, at);
      const body = at < 0 ? '' : received.slice(at + 4);
      const length = /content-length: (\d+)/i.exec(head);
      if (!closed && (!length || Buffer.byteLength(body) < Number(length[1]))) return;
      settled = true;
      resolve({ head, status: Number(/^HTTP\/1\.1 (\d{3})/.exec(head)?.[1] ?? 0), body, closed, sent });
      socket.destroy();
    };
    socket.on('data', (d) => {
      received += d.toString('utf8');
      answered = true;
      finish(false);
    });
    socket.on('close', () => finish(true));
    socket.on('error', (err: NodeJS.ErrnoException) => {
      if (err.code === 'EPIPE' || err.code === 'ECONNRESET') return; // the server stopped reading: expected
      if (!settled) reject(err);
    });
    const pump = () => {
      while (!answered && !socket.destroyed) {
        const c = chunk();
        if (c === null) return;
        sent += c.length;
        if (!socket.write(c)) {
          socket.once('drain', pump);
          return;
        }
      }
    };
    socket.on('connect', () => {
      socket.write(head);
      pump();
    });
  });
}

/** The report's body: `{"email":"a@b.c","password":[{},{},...]}`, `total` bytes, produced 1 MiB at a time. */
function bombChunks(total: number): () => Buffer | null {
  const start = Buffer.from('{"email":"a@b.c","password":[');
  const filler = Buffer.from('{},'.repeat(Math.floor(MiB / 3)));
  const end = Buffer.from('{}]}');
  let left = total;
  let first = true;
  return () => {
    if (left <= 0) return null;
    let b: Buffer;
    if (first) b = start;
    else if (left <= end.length) b = end.subarray(0, left);
    else b = left - end.length >= filler.length ? filler : filler.subarray(0, left - end.length);
    first = false;
    left -= b.length;
    return b;
  };
}

const rss = () => process.memoryUsage().rss;

describe('request body limits (red-team H1)', () => {
  let server: TestServer;
  let token: string;
  beforeAll(async () => {
    server = await startTestServer();
    token = (await registerUser(server)).token;
  });
  afterAll(async () => server?.stop());

  it('sizes each route from the configured default limits, not stdinBytes.max and not x6', () => {
    const l = server.config.limits;
    const limits = bodyLimitsFor(server.config);
    expect(limits.auth).toBeLessThanOrEqual(8 * 1024);
    expect(limits.small).toBeLessThanOrEqual(64 * 1024);
    // A whole job, stdin and arguments at the escaping factor, and no more than that plus the per-file framing.
    const job = JSON_ESCAPE_FACTOR * (l.jobBytes + l.stdinBytes.default + l.argsBytes);
    expect(limits.batch).toBeGreaterThanOrEqual(job);
    expect(limits.batch).toBeLessThan(job + 2 * MiB);
    expect(limits.batch).toBeLessThan(((l.jobBytes + l.stdinBytes.max) * 6) / 2);
    expect(limits.projectFile).toBeGreaterThanOrEqual(JSON_ESCAPE_FACTOR * l.fileBytes.default);
    expect(limits.projectFile).toBeLessThan(JSON_ESCAPE_FACTOR * l.fileBytes.default + MiB);
  });

  it('refuses the 180 MB login of the report at once (413 PAYLOAD_TOO_LARGE), memory flat, /health answers right after', async () => {
    const total = 180_000_000;
    const before = rss();
    const r = await rawRequest(
      server.url,
      `POST /api/v1/auth/login HTTP/1.1\r\nHost: 127.0.0.1\r\nContent-Type: application/json\r\nContent-Length: ${total}\r\n\r\n`,
      bombChunks(total),
    );
    expect(r.status, r.head).toBe(413);
    expect(JSON.parse(r.body)).toMatchObject({ success: false, error: { code: 'PAYLOAD_TOO_LARGE', status: 413, details: { max: bodyLimitsFor(server.config).auth } } });
    expect(r.head).toMatch(/connection: close/i);
    // Refused on its Content-Length: at most what was in flight was written, far from the 180 MB.
    expect(r.sent).toBeLessThan(total / 2);
    expect(rss() - before).toBeLessThan(100 * MiB);
    const health = await api(server, 'GET', '/api/v1/health');
    expect(health.status).toBe(200);
  });

  it('refuses the same body sent chunked (no Content-Length) once past the limit', async () => {
    const before = rss();
    const total = 180_000_000;
    const next = bombChunks(total);
    // Chunked framing around each piece.
    const chunked = () => {
      const b = next();
      if (b === null) return Buffer.from('0\r\n\r\n');
      return Buffer.concat([Buffer.from(`${b.length.toString(16)}\r\n`), b, Buffer.from('\r\n')]);
    };
    let done = false;
    const r = await rawRequest(
      server.url,
      'POST /api/v1/auth/login HTTP/1.1\r\nHost: 127.0.0.1\r\nContent-Type: application/json\r\nTransfer-Encoding: chunked\r\n\r\n',
      () => {
        if (done) return null;
        const c = chunked();
        if (c.length === 5) done = true;
        return c;
      },
    );
    expect(r.status, r.head).toBe(413);
    expect(JSON.parse(r.body)).toMatchObject({ error: { code: 'PAYLOAD_TOO_LARGE' } });
    expect(rss() - before).toBeLessThan(100 * MiB);
    expect((await api(server, 'GET', '/api/v1/health')).status).toBe(200);
  });

  it('gives auth and social routes a few KiB, and names the limit', async () => {
    const big = 'x'.repeat(100 * 1024);
    for (const [url, body] of [
      ['/api/v1/auth/register', { email: 'a@b.c', username: 'abc', password: big }],
      ['/api/v1/auth/refresh', { refreshToken: big }],
    ] as const) {
      const r = await api<{ error: { code: string; details: { max: number } } }>(server, 'POST', url, { body });
      expect(r.status, url).toBe(413);
      expect(r.body.error.code).toBe('PAYLOAD_TOO_LARGE');
    }
    const p = await api<{ data: { id: string } }>(server, 'POST', '/api/v1/projects', { token, body: { name: 'p', language: 'python', visibility: 'public' } });
    expect(p.status).toBe(201);
    const comment = await api<{ error: { code: string; details: { max: number } } }>(server, 'POST', `/api/v1/projects/${p.body.data.id}/comments`, {
      token,
      body: { content: 'x'.repeat(200 * 1024) },
    });
    expect(comment.status).toBe(413);
    expect(comment.body.error.details.max).toBe(bodyLimitsFor(server.config).small);
    // Within its limit a comment of the maximum length with characters escaped as \uXXXX passes.
    const escaped = `{"content":"${'\\u00e9'.repeat(10_000)}"}`;
    const ok = await api(server, 'POST', `/api/v1/projects/${p.body.data.id}/comments`, { token, raw: escaped });
    expect(ok.status, JSON.stringify(ok.body)).toBe(201);
  });

  it('refuses [{},{},...] on /execute/batch before parsing it (no 10 s of JSON.parse)', async () => {
    const before = rss();
    const n = 5_000_000; // 15 MB: within the batch byte limit
    const raw = `{"language":"python","files":[${'{},'.repeat(n)}{}]}`;
    expect(raw.length).toBeLessThan(bodyLimitsFor(server.config).batch);
    const r = await api<{ error: { code: string; details: { maxJsonValues: number } } }>(server, 'POST', '/api/v1/execute/batch', { token, raw });
    expect(r.status).toBe(413);
    expect(r.body.error).toMatchObject({ code: 'PAYLOAD_TOO_LARGE', details: { maxJsonValues: maxJsonValuesFor(server.config).batch } });
    expect(rss() - before).toBeLessThan(100 * MiB + raw.length * 2);
    // A program of 15 MB of quotes (30 MB once escaped; files of at most MAX_FILE_SIZE) is still accepted.
    const data = '"'.repeat(server.config.limits.fileBytes.default);
    const big = { language: 'python', files: [{ name: 'main.py', content: 'print("ok")\n' }, ...[1, 2, 3].map((i) => ({ name: `d${i}.txt`, content: data }))] };
    expect(JSON.stringify(big).length).toBeGreaterThan(30_000_000);
    const run = await api<{ data: { status: string; output: string } }>(server, 'POST', '/api/v1/execute/batch?wait=true', { token, body: big });
    expect(run.status, JSON.stringify(run.body).slice(0, 300)).toBe(200);
    expect(run.body.data.output).toBe('ok\n');
  });

  it('bounds the files array by the job file count (TOO_MANY_FILES) and strings everywhere', async () => {
    const files = Array.from({ length: server.config.limits.jobFiles + 1 }, (_, i) => ({ name: `f${i}.py`, content: '' }));
    const r = await api<{ error: { code: string } }>(server, 'POST', '/api/v1/execute/batch', { token, body: { language: 'python', files } });
    expect(r.status).toBe(400);
    expect(r.body.error.code).toBe('TOO_MANY_FILES');
    const lang = await api<{ error: { code: string } }>(server, 'POST', '/api/v1/execute', { token, body: { language: 'x'.repeat(51), code: 'print(1)' } });
    expect(lang.body.error.code).toBe('VALIDATION_ERROR');
  });

  it('counts JSON values outside strings only', () => {
    expect(countJsonValues(JSON.stringify({ a: 'x,{["\\', b: [1, 2, { c: '\\' }] }), 100)).toBe(6);
    expect(countJsonValues(`"${'\\"'.repeat(1000)}"`, 10)).toBe(0);
    expect(countJsonValues(`[${'1,'.repeat(100)}1]`, 10)).toBe(11);
  });
});

describe('server timeouts (red-team I6)', () => {
  let server: TestServer;
  beforeAll(async () => {
    server = await startTestServer({ config: { HTTP_REQUEST_TIMEOUT_MS: '1000' } });
  });
  afterAll(async () => server?.stop());

  it('closes a connection that trickles its body with 408 REQUEST_TIMEOUT', async () => {
    const { hostname, port } = new URL(server.url);
    const answer = await new Promise<{ text: string; closed: boolean }>((resolve, reject) => {
      const socket = net.connect({ host: hostname, port: Number(port) });
      let text = '';
      // One body byte every 100 ms: often enough that no idle timeout would ever fire.
      const timer = setInterval(() => {
        if (!socket.destroyed) socket.write('x');
      }, 100);
      socket.on('connect', () => socket.write('POST /api/v1/auth/login HTTP/1.1\r\nHost: 127.0.0.1\r\nContent-Type: application/json\r\nContent-Length: 4000\r\n\r\n{'));
      socket.on('data', (d) => (text += d.toString('utf8')));
      socket.on('error', (err: NodeJS.ErrnoException) => {
        if (err.code !== 'EPIPE' && err.code !== 'ECONNRESET') reject(err);
      });
      socket.on('close', () => {
        clearInterval(timer);
        resolve({ text, closed: true });
      });
    });
    expect(answer.closed).toBe(true);
    expect(answer.text).toMatch(/^HTTP\/1\.1 408 /);
    expect(answer.text).toMatch(/connection: close/i);
    const body = answer.text.slice(answer.text.indexOf('\r\n\r\n') + 4);
    expect(JSON.parse(body)).toMatchObject({ success: false, error: { code: 'REQUEST_TIMEOUT', status: 408 } });
  });

  it('answers what Node refuses before fastify (bad HTTP, huge headers) in the standard envelope', async () => {
    const { hostname, port } = new URL(server.url);
    const exchange = (request: string) =>
      new Promise<string>((resolve, reject) => {
        const socket = net.connect({ host: hostname, port: Number(port) }, () => socket.write(request));
        let text = '';
        socket.on('data', (d) => (text += d.toString('utf8')));
        socket.on('error', (err: NodeJS.ErrnoException) => (err.code === 'ECONNRESET' || err.code === 'EPIPE' ? undefined : reject(err)));
        socket.on('close', () => resolve(text));
      });
    const bad = await exchange('GARBAGE / NOT-HTTP\r\n\r\n');
    expect(bad).toMatch(/^HTTP\/1\.1 400 /);
    expect(JSON.parse(bad.slice(bad.indexOf('\r\n\r\n') + 4))).toMatchObject({ error: { code: 'MALFORMED_REQUEST', status: 400 } });
    const huge = await exchange(`GET /api/v1/health HTTP/1.1\r\nHost: x\r\nX-Big: ${'a'.repeat(64 * 1024)}\r\n\r\n`);
    expect(huge).toMatch(/^HTTP\/1\.1 431 /);
    expect(JSON.parse(huge.slice(huge.indexOf('\r\n\r\n') + 4))).toMatchObject({ error: { code: 'HEADERS_TOO_LARGE', status: 431 } });
  });
});
