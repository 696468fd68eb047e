/**
 * The hostile checks for the interpreted languages of `make languages` that can open a socket
 * (Erlang, Elixir, Racket, SBCL, Guile, R, SWI-Prolog, Groovy, Clojure) or fork (Guile,
 * SWI-Prolog): none reaches a host service on 127.0.0.1, and a fork loop is refused at the
 * process limit with nothing left behind (useEngine's after-each check). Lua, Octave, SQLite
 * and Gforth have no socket API in what Debian installs; they run in the same sandbox.
 */
import net from 'node:net';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { CI, out, runCode, useEngine } from '../helpers/engine.js';

describe('hostile: the interpreted languages of `make languages`', () => {
  const ctx = useEngine();
  let hits = 0;
  let server: net.Server;
  let port = 0;
  const available = (id: string) => CI || ctx.engine.languages.unavailableReason(ctx.engine.languages.get(id)) === null;

  beforeAll(async () => {
    server = net.createServer((s) => (hits++, s.destroy()));
    await new Promise<void>((r) => server.listen(0, '127.0.0.1', r));
    port = (server.address() as net.AddressInfo).port;
  });

  afterAll(async () => {
    await new Promise((r) => server.close(r));
  });

  const connect: Record<string, (p: number) => string> = {
    erlang: (p) => `main(_) ->\n    case gen_tcp:connect({127,0,0,1}, ${p}, [], 3000) of\n        {ok, _} -> io:format("connected~n");\n        _ -> io:format("refused~n")\n    end.\n`,
    elixir: (p) => `case :gen_tcp.connect({127, 0, 0, 1}, ${p}, [], 3000) do\n  {:ok, _} -> IO.puts("connected")\n  _ -> IO.puts("refused")\nend\n`,
    racket: (p) => `#lang racket/base\n(require racket/tcp)\n(with-handlers ([exn:fail? (lambda (e) (displayln "refused"))])\n  (tcp-connect "127.0.0.1" ${p})\n  (displayln "connected"))\n`,
    commonlisp: (p) =>
      `(require :sb-bsd-sockets)\n(handler-case\n    (let ((s (make-instance 'sb-bsd-sockets:inet-socket :type :stream :protocol :tcp)))\n` +
      `      (sb-bsd-sockets:socket-connect s #(127 0 0 1) ${p})\n      (format t "connected~%"))\n  (error () (format t "refused~%")))\n`,
    scheme: (p) =>
      `(catch #t\n  (lambda ()\n    (let ((s (socket PF_INET SOCK_STREAM 0)))\n      (connect s AF_INET (inet-pton AF_INET "127.0.0.1") ${p})\n` +
      `      (display "connected\\n")))\n  (lambda _ (display "refused\\n")))\n`,
    r: (p) => `tryCatch({\n  s <- socketConnection("127.0.0.1", ${p}, timeout = 3)\n  cat("connected\\n")\n}, error = function(e) cat("refused\\n"), warning = function(w) cat("refused\\n"))\n`,
    prolog: (p) => `:- use_module(library(socket)).\n:- initialization(main, main).\nmain :- catch((tcp_connect('127.0.0.1':${p}, _, []), writeln(connected)), _, writeln(refused)).\n`,
    groovy: (p) => `try {\n  new Socket("127.0.0.1", ${p})\n  println "connected"\n} catch (e) {\n  println "refused"\n}\n`,
    clojure: (p) => `(try (java.net.Socket. "127.0.0.1" ${p}) (println "connected") (catch Exception e (println "refused")))\n`,
  };
  for (const [lang, src] of Object.entries(connect)) {
    it(`${lang}: cannot connect to a host service on 127.0.0.1`, async () => {
      if (!available(lang)) return;
      const before = hits;
      const r = await runCode(ctx.engine, lang, src(port), { limits: { wallMs: 15_000 } });
      expect(out(r).trim(), r.run?.stderr.toString()).toBe('refused');
      expect(hits).toBe(before);
    });
  }

  it('guile and swi-prolog fork loops are refused at the process limit, nothing left behind', async () => {
    if (!available('scheme') || !available('prolog')) return;
    const guile = await runCode(
      ctx.engine,
      'scheme',
      '(let loop ((n 0))\n  (let ((pid (catch #t primitive-fork (lambda _ #f))))\n    (cond ((not pid) (format #t "refused after ~a~%" n))\n' +
        '          ((= pid 0) (sleep 30) (primitive-exit 0))\n          (else (loop (+ n 1))))))\n',
      { limits: { wallMs: 10_000 } },
    );
    expect(out(guile), guile.run?.stderr.toString()).toMatch(/^refused after \d+\n$/);
    const prolog = await runCode(
      ctx.engine,
      'prolog',
      ':- use_module(library(unix)).\n:- initialization(main, main).\nmain :- loop(0).\n' +
        'loop(N) :- catch(fork(P), _, (format("refused after ~w~n", [N]), halt(0))),\n' +
        '    ( P == child -> sleep(30), halt(0) ; N1 is N + 1, loop(N1) ).\n',
      { limits: { wallMs: 10_000 } },
    );
    expect(out(prolog), prolog.run?.stderr.toString()).toMatch(/^refused after \d+\n$/);
  });

  it('lua (io.popen) and octave (fork) process loops are refused at the process limit, nothing left behind', async () => {
    if (!available('lua') || !available('octave')) return;
    const lua = await runCode(
      ctx.engine,
      'lua',
      'local n, hs = 0, {}\nwhile true do\n  local h = io.popen("sleep 30")\n  if not h then print("refused after " .. n) os.exit(0) end\n' +
        '  hs[#hs + 1] = h\n  n = n + 1\nend\n',
      { limits: { wallMs: 10_000 } },
    );
    expect(out(lua), lua.run?.stderr.toString()).toMatch(/^refused after \d+\n$/);
    const octave = await runCode(
      ctx.engine,
      'octave',
      'n = 0;\nwhile true\n  pid = fork();\n  if pid < 0\n    printf("refused after %d\\n", n);\n    exit(0);\n' +
        '  elseif pid == 0\n    pause(30);\n    exit(0);\n  end\n  n++;\nend\n',
      { limits: { wallMs: 10_000 } },
    );
    expect(out(octave), octave.run?.stderr.toString()).toMatch(/^refused after \d+\n$/);
  });
});
