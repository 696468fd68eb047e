import fs from 'node:fs';
import { describe, expect, it } from 'vitest';
import { LiveInput } from '../../src/engine/live-input.js';
import { useEngine } from '../helpers/engine.js';

/**
 * Interactive runs on a terminal, attacked from inside: the pty pair is opened outside the
 * sandbox, but the program only ever holds the slave side of its own session's pty. It must not
 * reach the master, another terminal, the host's devpts, or anything through TIOCSTI/TIOCLINUX;
 * and a run must leave no pty behind in the engine's process.
 */
const ctx = useEngine();

/** Descriptors of this (engine) process that point at a terminal: the master (/dev/ptmx) or a slave. */
function ptyFds(): number {
  let n = 0;
  for (const fd of fs.readdirSync('/proc/self/fd')) {
    try {
      const target = fs.readlinkSync(`/proc/self/fd/${fd}`);
      if (target === '/dev/ptmx' || target.startsWith('/dev/pts/')) n++;
    } catch {
      // closed meanwhile
    }
  }
  return n;
}

const ATTACK = String.raw`
import fcntl, os, struct, termios, glob, errno
def attempt(name, fn):
    try:
        fn()
        print(name, "=ok", flush=True)
    except OSError as e:
        print(name, "=" + errno.errorcode.get(e.errno, str(e.errno)), flush=True)
# What the program holds: fds 0-2 on one terminal, nothing else.
print("fds", sorted(int(f) for f in os.listdir("/proc/self/fd") if int(f) > 2 and os.path.exists("/proc/self/fd/" + f) and os.readlink("/proc/self/fd/" + f) != "/proc/self/fd"), flush=True)
print("same", len({os.fstat(i).st_rdev for i in (0, 1, 2)}) == 1, flush=True)
# The sandbox's /dev/pts is its own devpts: the host's terminals (this one's master included) are not there.
print("pts", sorted(os.listdir("/dev/pts")), flush=True)
# Typing into the terminal (CVE-2017-5226), with and without the upper bits set (CVE-2019-10063).
attempt("tiocsti", lambda: fcntl.ioctl(0, termios.TIOCSTI, b"x"))
attempt("tiocsti_hi", lambda: fcntl.ioctl(0, termios.TIOCSTI | (1 << 32), b"x"))
attempt("tioclinux", lambda: fcntl.ioctl(0, 0x541C, b"\x0c"))
# A process of a new session cannot take the terminal over from the program's session (that
# needs CAP_SYS_ADMIN), so it cannot become the one that receives the terminal's signals.
pid = os.fork()
if pid == 0:
    os.setsid()
    try:
        fcntl.ioctl(0, termios.TIOCSCTTY, 1)
        os._exit(0)
    except OSError as e:
        os._exit(e.errno)
code = os.waitstatus_to_exitcode(os.waitpid(pid, 0)[1])
print("steal", "=" + (errno.errorcode.get(code, str(code)) if code else "ok"), flush=True)
# No descriptor of any other process is readable: the init is not dumpable, the rest is outside.
leaks = []
for d in glob.glob("/proc/[0-9]*/fd/*"):
    try:
        t = os.readlink(d)
        if d.split("/")[2] != str(os.getpid()) and ("ptmx" in t or "pts" in t): leaks.append(d + "->" + t)
    except OSError:
        pass
print("foreign", leaks, flush=True)
# A pty of its own (a new devpts instance) is fine: it reaches only itself.
m, s = os.openpty()
print("own", os.ttyname(s), flush=True)
`;

describe('hostile: interactive runs on a terminal', () => {
  it('the program holds only its own slave side: no master, no host terminal, no TIOCSTI/TIOCLINUX', async () => {
    const before = ptyFds();
    const input = new LiveInput();
    const r = await ctx.engine.run({ language: 'python', files: [{ path: 'main.py', content: ATTACK }], input, tty: { cols: 80, rows: 24 } });
    input.close();
    const out = r.run!.stdout.toString().replaceAll('\r', '');
    expect(r.run?.status, out).toBe('ok');
    const line = (k: string) => out.split('\n').find((l) => l.startsWith(`${k} `))?.slice(k.length + 1);
    expect(line('fds')).toBe('[]');
    expect(line('same')).toBe('True');
    expect(line('pts')).toBe("['ptmx']");
    expect(line('tiocsti')).toBe('=EPERM');
    expect(line('tiocsti_hi')).toBe('=EPERM');
    expect(line('tioclinux')).toBe('=EPERM');
    expect(line('steal')).toBe('=EPERM');
    expect(line('foreign')).toBe('[]');
    expect(line('own')).toBe('/dev/pts/0');
    // Nothing of the pty is left in the engine's process once the run is over.
    expect(ptyFds()).toBe(before);
  });

  it('leaves no pty behind after many runs, including one killed at its wall limit', async () => {
    const before = ptyFds();
    for (let i = 0; i < 3; i++) {
      const r = await ctx.engine.run({ language: 'python', files: [{ path: 'main.py', content: 'print(input())' }], input: new LiveInput(), tty: { cols: 80, rows: 24 }, limits: { cpuMs: 500, wallMs: 600 } });
      expect(r.run?.status).toBe('time_limit');
    }
    expect(ptyFds()).toBe(before);
  });
});
