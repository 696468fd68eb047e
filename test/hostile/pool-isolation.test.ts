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

describe('hostile: nothing reaches the next run of a slot', () => {
  const ctx = useEngine({ SANDBOX_SLOTS: '1' });

  it('a daemon, IPC objects, an abstract socket, files, env and fds of one run are gone in the next', async () => {
    await plantThenLook(ctx.engine);
  });
});

/**
 * SANDBOX_WARM: the next sandbox (namespaces, mounts, /tmp, seccomp, init) is set up while the
 * slot is idle, so it exists, waiting, between runs: its processes run as the slot's uid, which
 * useEngine's after-each check forbids, hence an engine of its own here.
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
});
