/**
 * The slot's next launcher is started ahead, inside the slot's cgroups, while the slot is idle
 * (warm-launcher.ts). With one slot, every run follows the previous one in the same slot, uid,
 * box, cgroup and pre-started launcher: a first run plants everything it can (a daemon holding
 * fds and an abstract socket, SysV IPC objects, files in /tmp, /dev/shm and the box, an
 * environment variable, an fd left open), and the next run looks for each of them.
 */
import fs from 'node:fs';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { LiveInput } from '../../src/engine/live-input.js';
import { Engine } from '../../src/engine/runner/engine.js';
import { out, processesOfUids, runCode, testConfig, useEngine } from '../helpers/engine.js';

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

async function plantThenLook(engine: Engine): Promise<void> {
    const planted = await runCode(engine, 'python', PLANT);
    expect(out(planted), planted.run?.stderr).toContain('planted');
    const lines = out(planted).split('\n');
    for (const kind of ['shm', 'msg', 'sem']) {
      const line = lines.find((l) => l.startsWith(`${kind} `));
      expect(Number(line?.split(' ')[1]), `${kind} created`).toBeGreaterThanOrEqual(0);
    }
    for (let round = 0; round < 2; round++) {
      const r = await runCode(engine, 'python', LOOK);
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
}

describe('hostile: nothing reaches the next run of a slot (launcher started ahead, no sandbox prepared)', () => {
  const ctx = useEngine({ SANDBOX_SLOTS: '1', SANDBOX_WARM: 'false' });

  it('a daemon, IPC objects, an abstract socket, files, env and fds of one run are gone in the next', async () => {
    await plantThenLook(ctx.engine);
  });
});

/**
 * SANDBOX_WARM (the default): the next sandbox (namespaces, mounts, /tmp, seccomp, init) is set
 * up while the slot is idle, so it exists, waiting, between runs, its processes running as the
 * slot's uid. An engine of its own here, to count those processes exactly.
 */
describe('hostile: nothing reaches the next run through a pre-warmed sandbox', () => {
  const config = testConfig({ SANDBOX_SLOTS: '1', SANDBOX_WARM: 'true' });
  let engine: Engine;
  const uid = config.SANDBOX_UID_BASE;
  const waitingSandbox = async () => {
    // The slot prepares its next sandbox in the background after a run: wait until it waits.
    // (Polled, up to 10 s on a loaded machine: bubblewrap's set-up can take a while there.)
    for (let i = 0; i < 1000 && processesOfUids([uid]).length !== 3; i++) await new Promise((r) => setTimeout(r, 10));
    return processesOfUids([uid]);
  };
  beforeAll(() => {
    engine = Engine.create(config);
  });
  afterAll(async () => {
    await engine.close();
    expect(processesOfUids([uid])).toEqual([]);
    fs.rmSync(config.DATA_DIR, { recursive: true, force: true });
  });

  it('each run gets a sandbox set up before it and never used before; what a run plants is gone in the next', async () => {
    await runCode(engine, 'python', 'pass');
    const before = await waitingSandbox();
    // The launcher, bubblewrap and our init, waiting (they are the engine's: not counted as leftovers).
    expect(before.length).toBe(3);
    expect(engine.leftovers()).toEqual({ pids: [], boxEntries: [], busySlots: 0 });
    const planted = await runCode(engine, 'python', 'import os\nprint(os.getpid(), os.getppid())');
    expect(planted.run?.status).toBe('ok');
    // The program ran in the prepared sandbox: pid 2 under our init.
    expect(out(planted).trim()).toBe('2 1');
    const after = await waitingSandbox();
    // A new one: the previous sandbox went with its run.
    expect(after.some((p) => before.includes(p))).toBe(false);
    await plantThenLook(engine);
    const finalRun = await runCode(engine, 'python', 'import sys\nprint(sys.stdin.read())', { stdin: 'given stdin' });
    expect(out(finalRun).trim()).toBe('given stdin');
  });

  it('compiles and runs alternate, and stages with other options, each get a sandbox of their own options', async () => {
    for (let i = 0; i < 3; i++) {
      // A new source each time: a compile (a sandbox with the compiler's options), then the run.
      const r = await runCode(engine, 'c', `#include <stdio.h>\nint main(void) { printf("run ${i}\\n"); return 0; }\n`);
      expect(r.compile?.status, r.compile?.stderr).toBe('ok');
      expect(out(r)).toBe(`run ${i}\n`);
    }
    // Other limits than the prepared sandbox's (its /tmp size, rlimits): a fresh one, same result.
    const other = await runCode(engine, 'python', 'import resource\nprint(resource.getrlimit(resource.RLIMIT_CPU)[0])', {
      limits: { cpuMs: 3000 },
    });
    // The launcher's soft CPU rlimit: the limit in whole seconds, plus one.
    expect(out(other).trim()).toBe('4');
    const args = await runCode(engine, 'python', 'import sys, os\nprint(sys.argv[1:], os.environ.get("HOME"))', { args: ['', 'a b', '--x'] });
    expect(out(args).trim()).toBe("['', 'a b', '--x'] /box");
  });

  it('interactive stages between batch runs: a pipe takes the prepared sandbox, a terminal its own; neither reaches the next run', async () => {
    const interactive = async (tty: boolean, prepared: number[]) => {
      const input = new LiveInput(1 << 16);
      let text = '';
      let ready!: () => void;
      const isReady = new Promise<void>((resolve) => (ready = resolve));
      const run = runCode(
        engine,
        'python',
        'import os, signal, sys\nsignal.signal(signal.SIGUSR1, lambda *a: (print("usr1", flush=True), sys.exit(7)))\nprint("ready", os.isatty(0), os.getpid(), os.getppid(), flush=True)\nprint("got", sys.stdin.readline().strip(), flush=True)\nsignal.pause()',
        {
          input,
          ...(tty ? { tty: { cols: 80, rows: 24 } } : {}),
          onStdout: (c: Buffer) => {
            text += c.toString('utf8');
            if (text.includes('ready')) ready();
          },
        },
      );
      await isReady;
      // The prepared sandbox (launcher, bubblewrap, init) runs a piped stage, the program under
      // its init; a terminal stage needs the pty as its stdio: a launcher, bubblewrap and init of
      // its own (the prepared one is being taken down meanwhile, in its own cgroup).
      const running = processesOfUids([uid]);
      if (tty) expect(running.filter((p) => !prepared.includes(p)).length).toBe(4);
      else expect(running.filter((p) => !prepared.includes(p)).length).toBe(1);
      input.write(Buffer.from('line\n'));
      while (!text.includes('got line')) await new Promise((r) => setTimeout(r, 10));
      // Signals reach the program (live-io.ts programPids: launcher, bwrap, init, program).
      expect(input.signal('SIGUSR1')).toBe(true);
      const r = await run;
      expect(r.run?.exitCode, text).toBe(7);
      return text.replace(/\r/g, '');
    };
    await runCode(engine, 'python', 'pass');
    let prepared = await waitingSandbox();
    expect(prepared.length).toBe(3);
    expect(await interactive(false, prepared)).toMatch(/^ready False 2 1\n(line\n)?got line\nusr1\n$/);
    prepared = await waitingSandbox();
    expect(prepared.length).toBe(3);
    expect(await interactive(true, prepared)).toMatch(/^ready True 2 1\n(line\n)?got line\nusr1\n$/);
    // After a terminal stage the slot prepares a sandbox for batch stages again (pipes, no --tty).
    expect((await waitingSandbox()).length).toBe(3);
    const next = await runCode(engine, 'python', 'import os, sys\nprint(os.isatty(0), os.isatty(1), sys.stdin.read())', { stdin: 'plain' });
    expect(out(next).trim()).toBe('False False plain');
  });

  it("stages of different languages with the same limits take the same prepared sandbox (the languages' configuration binds are shared)", async () => {
    await runCode(engine, 'python', 'pass');
    for (const [language, source, expected] of [
      ['javascript', 'console.log("js")', 'js\n'],
      ['bash', 'echo sh', 'sh\n'],
      ['python', 'print("py")', 'py\n'],
    ] as const) {
      expect((await waitingSandbox()).length).toBe(3);
      const before = engine.warmStats();
      const r = await runCode(engine, language, source);
      expect(out(r), r.run?.stderr.toString()).toBe(expected);
      const after = engine.warmStats();
      expect(after.hit, `${language}: ${JSON.stringify(after)}`).toBe(before.hit + 1);
    }
  });

  it("a run cannot signal, ptrace or read /proc of its slot's sandboxes prepared ahead (same uid, other pid namespace)", async () => {
    // Python's ctypes: kill, pidfd_open, ptrace(PTRACE_ATTACH) and /proc/PID of each host pid
    // given, then kill(-1, SIGKILL) (every process this one may signal), then what /proc shows.
    const attack = `
import ctypes, os, signal, sys, time
libc = ctypes.CDLL(None, use_errno=True)
def t(name, rc):
    print(name, rc, ctypes.get_errno() if rc < 0 else 0)
for i, a in enumerate(sys.argv[1:]):
    pid = int(a)
    t("kill%d" % i, libc.kill(pid, 9))
    t("pidfd%d" % i, libc.syscall(434, pid, 0))
    t("ptrace%d" % i, libc.ptrace(16, pid, 0, 0))
    print("proc%d" % i, os.path.exists("/proc/%d" % pid))
print("ready", flush=True)
time.sleep(0.5)
t("killall", libc.kill(-1, 9))
print("procs", sorted(int(p) for p in os.listdir("/proc") if p.isdigit() and int(p) != os.getpid()))
`;
    const check = (text: string, n: number) => {
      const seen = new Map(text.trim().split('\n').map((l) => [l.slice(0, l.indexOf(' ')), l.slice(l.indexOf(' ') + 1)]));
      for (let i = 0; i < n; i++) {
        // ESRCH (3): no such process in this pid namespace; EPERM (1) from the seccomp filter.
        expect(seen.get(`kill${i}`), text).toBe('-1 3');
        expect(seen.get(`pidfd${i}`), text).toMatch(/^-1 (3|1|38)$/);
        expect(seen.get(`ptrace${i}`), text).toMatch(/^-1 (3|1)$/);
        expect(seen.get(`proc${i}`), text).toBe('False');
      }
      // kill(-1) found nothing to signal (ESRCH): only our init, which it may not signal, and itself.
      expect(seen.get('killall'), text).toBe('-1 3');
      expect(seen.get('procs'), text).toBe('[1]');
    };

    // A hit: the run takes the sandbox prepared for it; while it runs, nothing else waits in its
    // slot (the next one is prepared after it), and it cannot reach its own sandbox's host
    // processes (the launcher, bubblewrap, the init's host pid) either.
    await runCode(engine, 'python', 'pass');
    const prepared = await waitingSandbox();
    expect(prepared.length).toBe(3);
    let during: number[] | null = null;
    const hit = await runCode(engine, 'python', attack, {
      args: prepared.map(String),
      onStdout: (c: Buffer) => {
        if (during === null && c.toString().includes('ready')) during = engine.waitingPids();
      },
    });
    expect(hit.run?.status, hit.run?.stderr.toString()).toBe('ok');
    check(out(hit), prepared.length);
    expect(during).toEqual([]);
    // The engine's own sandboxes and the next run are intact.
    const next = await waitingSandbox();
    expect(next.length).toBe(3);
    expect(next.some((p) => prepared.includes(p))).toBe(false);

    // A miss: other limits than the prepared sandbox's, so that one is taken down while this run
    // starts in a fresh one; it runs as the same uid and is the target.
    const miss = await runCode(engine, 'python', attack, { args: next.map(String), limits: { cpuMs: 2000 } });
    expect(miss.run?.status, miss.run?.stderr.toString()).toBe('ok');
    check(out(miss), next.length);
    const after = await runCode(engine, 'python', 'print("fine")');
    expect(out(after)).toBe('fine\n');
  });
});
