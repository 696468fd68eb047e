/**
 * The hostile checks for the interpreted languages added after the first ten (Bash, Perl, AWK,
 * Tcl): each can open a socket, and Bash and Perl can fork. The sandbox is the same for all; these
 * prove that nothing in their toolchains (bash's /dev/tcp, gawk's /inet, Perl's and Tcl's
 * sockets) reaches a host service, and that a fork bomb ends with nothing left (useEngine's
 * after-each check: no process, no box entry, no busy slot).
 */
import net from 'node:net';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { out, runCode, useEngine } from '../helpers/engine.js';

describe('hostile: Bash, Perl, AWK, Tcl', () => {
  const ctx = useEngine();
  let hits = 0;
  let server: net.Server;
  let port = 0;

  beforeAll(async () => {
    server = net.createServer((s) => (hits++, s.destroy()));
    await new Promise<void>((r) => server.listen(0, '127.0.0.1', r));
    port = (server.address() as net.AddressInfo).port;
  });

  afterAll(async () => {
    await new Promise((r) => server.close(r));
  });

  const connect: Record<string, (p: number) => string> = {
    bash: (p) => `if exec 3<>/dev/tcp/127.0.0.1/${p}; then echo connected; else echo refused; fi\n`,
    perl: (p) => `use IO::Socket::INET;\nmy $s = IO::Socket::INET->new(PeerAddr => '127.0.0.1', PeerPort => ${p}, Timeout => 3);\nprint($s ? "connected\\n" : "refused\\n");\n`,
    awk: (p) => `BEGIN { f = "/inet/tcp/0/127.0.0.1/${p}"; print "x" |& f; if ((f |& getline line) > 0 || ERRNO == "") print "connected"; else print "refused" }\n`,
    tcl: (p) => `if {[catch {socket 127.0.0.1 ${p}}]} { puts refused } else { puts connected }\n`,
  };
  for (const [lang, src] of Object.entries(connect)) {
    it(`${lang}: cannot connect to a host service on 127.0.0.1`, async () => {
      const before = hits;
      const r = await runCode(ctx.engine, lang, src(port), { limits: { wallMs: 10_000 } });
      if (lang === 'awk') {
        // gawk stops at once: "cannot open two way pipe ... Address family not supported".
        expect(r.run?.status).toBe('runtime_error');
        expect(r.run?.stderr.toString()).toMatch(/cannot open two way pipe/);
      } else expect(out(r).trim(), r.run?.stderr.toString()).toBe('refused');
      expect(hits).toBe(before);
    });
  }

  it('bash and perl fork bombs end at the process limit with nothing left behind', async () => {
    const bomb = await runCode(ctx.engine, 'bash', 'b() { b | b & }\nb\nsleep 2\necho survived\n', { limits: { wallMs: 4000 } });
    expect(bomb.run).not.toBeNull();
    const perl = await runCode(ctx.engine, 'perl', 'my $n = 0;\nwhile (1) { my $p = fork(); if (!defined $p) { print "refused after $n\\n"; exit 0 } if ($p == 0) { sleep 30; exit 0 } $n++ }\n', {
      limits: { wallMs: 10_000 },
    });
    // The pids limit refused a fork (it did not run until the wall limit).
    expect(out(perl)).toMatch(/^refused after \d+\n$/);
  });
});
