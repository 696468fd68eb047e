/**
 * The slot's next launcher is started ahead, inside the slot's cgroups, while the slot is idle
 * (warm-launcher.ts). With one slot, every run follows the previous one in the same slot, uid,
 * box, cgroup and pre-started launcher: a first run plants everything it can (a daemon holding
 * fds and an abstract socket, SysV IPC objects, files in /tmp, /dev/shm and the box, an
 * environment variable, an fd left open), and the next run looks for each of them.
 */
import { describe, expect, it } from 'vitest';
import { out, runCode, useEngine } from '../helpers/engine.js';

const PLANT = `
import ctypes, os, socket, time
libc = ctypes.CDLL(None, use_errno=True)
IPC_CREAT = 0o1000
print("shm", libc.shmget(0x4d55, 4096, IPC_CREAT | 0o666))
print("msg", libc.msgget(0x4d55, IPC_CREAT | 0o666))
print("sem", libc.semget(0x4d55, 1, IPC_CREAT | 0o666))
for p in ("/tmp/planted", "/dev/shm/planted", "/box/planted"):
    with open(p, "w") as f:
        f.write("secret")
os.environ["PLANTED"] = "1"
keep = open("/tmp/planted")
os.set_inheritable(keep.fileno(), True)
srv = socket.socket(socket.AF_UNIX, socket.SOCK_STREAM)
srv.bind("\\0muscode-planted")
srv.listen(1)
r, w = os.pipe()
if os.fork() == 0:
    os.setsid()
    if os.fork() == 0:
        os.close(r)
        os.write(w, b"x")
        while True:
            try:
                c, _ = srv.accept()
                c.sendall(b"leaked")
                c.close()
            except Exception:
                time.sleep(0.1)
    os._exit(0)
os.read(r, 1)
print("planted")
`;

const LOOK = `
import ctypes, os, socket
libc = ctypes.CDLL(None, use_errno=True)
for name, fn in (("shm", lambda: libc.shmget(0x4d55, 0, 0)), ("msg", lambda: libc.msgget(0x4d55, 0)), ("sem", lambda: libc.semget(0x4d55, 0, 0))):
    print(name, fn(), ctypes.get_errno())
for p in ("/tmp/planted", "/dev/shm/planted", "/box/planted"):
    print(p, os.path.exists(p))
print("env", "PLANTED" in os.environ)
print("procs", sorted(int(p) for p in os.listdir("/proc") if p.isdigit() and int(p) != os.getpid()))
print("fds", sorted(int(f) for f in os.listdir("/proc/self/fd")))
s = socket.socket(socket.AF_UNIX, socket.SOCK_STREAM)
try:
    s.connect("\\0muscode-planted")
    print("abstract", s.recv(10))
except OSError as e:
    print("abstract", e.errno)
print("sysvipc", sorted(os.listdir("/proc/sysvipc")) and [open("/proc/sysvipc/" + n).read().count("\\n") - 1 for n in sorted(os.listdir("/proc/sysvipc"))])
`;

describe('hostile: nothing reaches the next run of a slot', () => {
  const ctx = useEngine({ SANDBOX_SLOTS: '1' });

  it('a daemon, IPC objects, an abstract socket, files, env and fds of one run are gone in the next', async () => {
    const planted = await runCode(ctx.engine, 'python', PLANT);
    expect(out(planted), planted.run?.stderr).toContain('planted');
    const lines = out(planted).split('\n');
    for (const kind of ['shm', 'msg', 'sem']) {
      const line = lines.find((l) => l.startsWith(`${kind} `));
      expect(Number(line?.split(' ')[1]), `${kind} created`).toBeGreaterThanOrEqual(0);
    }
    for (let round = 0; round < 2; round++) {
      const r = await runCode(ctx.engine, 'python', LOOK);
      expect(r.run?.status, r.run?.stderr).toBe('ok');
      const seen = new Map(out(r).trim().split('\n').map((l) => [l.slice(0, l.indexOf(' ')), l.slice(l.indexOf(' ') + 1)]));
      // ENOENT (2): no such key in this IPC namespace.
      for (const kind of ['shm', 'msg', 'sem']) expect(seen.get(kind), kind).toBe('-1 2');
      for (const p of ['/tmp/planted', '/dev/shm/planted', '/box/planted']) expect(seen.get(p), p).toBe('False');
      expect(seen.get('env')).toBe('False');
      // Only our init (pid 1) besides this process: the daemon died with its run.
      expect(seen.get('procs')).toBe('[1]');
      // 0-2, and the fd listdir itself opened.
      expect(seen.get('fds')).toBe('[0, 1, 2, 3]');
      // ECONNREFUSED (111): no such abstract name in this network namespace.
      expect(seen.get('abstract')).toBe('111');
      expect(seen.get('sysvipc')).toBe('[0, 0, 0]');
    }
  });
});
