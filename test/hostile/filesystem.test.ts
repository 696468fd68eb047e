/**
 * Writing where it must not, and filling what it may. The sandbox's root is read-only; /box and
 * /tmp are tmpfs of bounded size; nothing of a run survives into the next one in the slot.
 */
import fs from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import { afterEach, describe, expect, it } from 'vitest';
import type { RunResult } from '../../src/engine/types.js';
import { out, runCode, useEngine } from '../helpers/engine.js';
import { ERRNO, parseLines, uniqueMarker } from './hostile.js';

describe('hostile: filesystem', () => {
  const ctx = useEngine();
  const hostPaths: string[] = [];
  afterEach(() => {
    for (const p of hostPaths.splice(0)) fs.rmSync(p, { force: true, recursive: true });
  });

  /** A program run in both slots (two concurrent runs take both), so "the next run in the slot" is always covered. */
  const inBothSlots = async (src: string): Promise<RunResult[]> =>
    Promise.all([runCode(ctx.engine, 'python', src), runCode(ctx.engine, 'python', src)]);

  const CLEAN_BOX_CHECK = `
import os
print("box=" + ",".join(sorted(os.listdir("/box"))))
print("tmp=" + ",".join(sorted(os.listdir("/tmp"))))
st = os.statvfs("/box")
print("box_free_mib=%d" % (st.f_bavail * st.f_frsize // 2**20))
print("box_mode=%o" % (os.stat("/box").st_mode & 0o7777))
print("box_xattrs=" + ",".join(os.listxattr("/box")))
open("/box/probe", "w").write("writable")
print("box_writable=yes")
`;
  const expectCleanSlots = async () => {
    for (const r of await inBothSlots(CLEAN_BOX_CHECK)) {
      expect(r.run?.status, r.run?.stderr.toString()).toBe('ok');
      const lines = parseLines(out(r));
      expect(lines.get('box')).toBe('main.py');
      expect(lines.get('tmp')).toBe('');
      expect(Number(lines.get('box_free_mib'))).toBeGreaterThanOrEqual(60);
      expect(lines.get('box_mode')).toBe('700');
      expect(lines.get('box_xattrs')).toBe('');
      expect(lines.get('box_writable')).toBe('yes');
    }
  };

  it('cannot write to /usr, /etc, /, /proc, its own init, or the host\'s /tmp, nor make device nodes', async () => {
    const hostMarkerPath = path.join(os.tmpdir(), `${uniqueMarker('tmpwrite')}.txt`);
    hostPaths.push(hostMarkerPath);
    const src = `
import os, sys
def attempt(name, fn):
    try:
        fn()
        print(f"{name}=ok")
    except OSError as e:
        print(f"{name}={e.errno}")
def write(p):
    with open(p, "w") as f:
        f.write("pwned")
attempt("usr", lambda: write("/usr/bin/muscode-pwned"))
attempt("usr_overwrite", lambda: write("/usr/bin/python3"))
attempt("etc", lambda: write("/etc/muscode-pwned"))
attempt("etc_ldconf", lambda: write("/etc/ld.so.conf.d/pwned.conf"))
attempt("root", lambda: write("/muscode-pwned"))
attempt("init", lambda: write("/proc/1/exe"))
attempt("mkdir_root", lambda: os.mkdir("/pwned"))
attempt("proc_root", lambda: write("/proc/self/root/usr/pwned"))
attempt("proc1_root", lambda: write("/proc/1/root/etc/pwned"))
attempt("mknod_mem", lambda: os.mknod("/box/mem", 0o20666, os.makedev(1, 1)))
attempt("tmp", lambda: write(sys.argv[1]))
print("tmp_exists=" + str(os.path.exists(sys.argv[1])))
for p in ("/", "/box", "/tmp"):
    st = os.statvfs(p)
    print(f"ro {p}=" + str(bool(st.f_flag & os.ST_RDONLY)))
`;
    const r = await runCode(ctx.engine, 'python', src, { args: [hostMarkerPath] });
    expect(r.run?.status, r.run?.stderr.toString()).toBe('ok');
    const lines = parseLines(out(r));
    expect(lines.get('mknod_mem')).toBe(String(ERRNO.EPERM));
    for (const k of ['usr', 'usr_overwrite', 'etc', 'etc_ldconf', 'root', 'init', 'mkdir_root', 'proc_root', 'proc1_root']) {
      expect([String(ERRNO.EROFS), String(ERRNO.EACCES), String(ERRNO.EPERM), String(ERRNO.ENOENT)], k).toContain(lines.get(k));
    }
    // The program's own /tmp takes the write; the host's /tmp never sees it.
    expect(lines.get('tmp')).toBe('ok');
    expect(lines.get('tmp_exists')).toBe('True');
    expect(fs.existsSync(hostMarkerPath)).toBe(false);
    expect(lines.get('ro /')).toBe('True');
    expect(lines.get('ro /box')).toBe('False');
    for (const p of ['/usr/bin/muscode-pwned', '/etc/muscode-pwned', '/etc/ld.so.conf.d/pwned.conf', '/muscode-pwned', '/pwned']) {
      expect(fs.existsSync(p), p).toBe(false);
    }
  });

  it('fills /tmp, /box and /dev/shm only up to their bounds', async () => {
    const src = `
import os
def fill(d, per_file_mib, files):
    written = 0
    chunk = b"x" * (1 << 20)
    try:
        for i in range(files):
            with open(f"{d}/fill{i}", "wb") as f:
                for _ in range(per_file_mib):
                    f.write(chunk)
                    f.flush()
                    written += 1
    except OSError as e:
        return f"{written} errno={e.errno}"
    return f"{written} done"
print("tmp=" + fill("/tmp", 8, 10), flush=True)
print("box=" + fill("/box", 8, 20), flush=True)
print("shm=" + fill("/dev/shm", 8, 40), flush=True)
`;
    const r = await runCode(ctx.engine, 'python', src, { limits: { memoryBytes: 128 * 2 ** 20 } });
    const lines = parseLines(out(r));
    // /tmp: 16 MiB, /box: 64 MiB (a few KiB of it hold main.py), both end with ENOSPC.
    expect(lines.get('tmp')).toMatch(/^1[56] errno=28$/);
    expect(lines.get('box')).toMatch(/^6[34] errno=28$/);
    // /dev/shm is a tmpfs without its own size, but its pages are charged to the run's memory
    // cgroup: the run ends at the memory limit (killed, or the write fails).
    if (r.run?.status === 'memory_limit') {
      expect(lines.get('shm')).toBeUndefined();
    } else {
      expect(lines.get('shm')).toMatch(/errno=(28|12)$/);
    }
    expect(r.run!.memoryKb).toBeLessThanOrEqual(128 * 1024);
    expect(fs.readdirSync('/dev/shm').filter((n) => n.startsWith('fill'))).toEqual([]);
    await expectCleanSlots();
  });

  it('filling the box with many small files ends in ENOSPC, and the next runs in the slot start clean', async () => {
    const src = `
import os
n = 0
try:
    while True:
        with open(f"/box/f{n}", "wb") as f:
            f.write(b"x")
        n += 1
except OSError as e:
    print(f"files={n} errno={e.errno}")
`;
    const r = await runCode(ctx.engine, 'python', src);
    expect(r.run?.status).toBe('ok');
    // 64 MiB of 4 KiB pages: about 16k one-byte files.
    expect(out(r)).toMatch(/^files=1[56]\d{3} errno=28\n$/);
    await expectCleanSlots();
  });

  it('exhausting inodes with empty files ends in ENOSPC at the box\'s inode bound, and the next runs start clean', async () => {
    // Empty files take no blocks, only inodes, and the host removes each of them after the run:
    // the box has an inode bound of its own (not only the memory cgroup's kernel-memory charge).
    const src = `
import os
n = 0
os.mkdir("/box/d")
try:
    while n < 2_000_000:
        os.close(os.open(f"/box/d/{n}", os.O_CREAT | os.O_WRONLY, 0o644))
        n += 1
except OSError as e:
    print(f"stopped={n} errno={e.errno}", flush=True)
`;
    const r = await runCode(ctx.engine, 'python', src, { limits: { memoryBytes: 1024 * 2 ** 20 } });
    expect(r.run?.status, r.run?.stderr.toString()).toBe('ok');
    const m = /^stopped=(\d+) errno=(\d+)\n$/.exec(out(r));
    expect(m?.[2]).toBe(String(ERRNO.ENOSPC));
    expect(Number(m?.[1])).toBeLessThanOrEqual(ctx.config.limits.run.max.boxBytes / 4096);
    await expectCleanSlots();
  });

  it('exhausting /tmp\'s inodes with empty files ends in ENOSPC at its own inode bound, and the next run gets a fresh /tmp', async () => {
    // /tmp is a tmpfs of its own per stage (mounted by the launcher in a private mount
    // namespace) with nr_inodes, not only a size: empty files cost no blocks, only inodes.
    const src = `
import os
n = 0
try:
    while n < 2_000_000:
        os.close(os.open(f"/tmp/{n}", os.O_CREAT | os.O_WRONLY, 0o644))
        n += 1
except OSError as e:
    print(f"stopped={n} errno={e.errno}", flush=True)
st = os.statvfs("/tmp")
print(f"inodes={st.f_files}")
`;
    const r = await runCode(ctx.engine, 'python', src, { limits: { memoryBytes: 1024 * 2 ** 20 } });
    expect(r.run?.status, r.run?.stderr.toString()).toBe('ok');
    const m = /^stopped=(\d+) errno=(\d+)\ninodes=(\d+)\n$/.exec(out(r));
    expect(m?.[2]).toBe(String(ERRNO.ENOSPC));
    const tmpBytes = ctx.config.limits.run.defaults.tmpBytes;
    expect(Number(m?.[3])).toBe(Math.max(4096, Math.floor(tmpBytes / 4096)));
    expect(Number(m?.[1])).toBeLessThanOrEqual(Number(m?.[3]));
    const next = await runCode(ctx.engine, 'python', 'import os\nprint(len(os.listdir("/tmp")))\n');
    expect(out(next)).toBe('0\n');
    await expectCleanSlots();
  });

  it('leaves nothing for the next run: not the box\'s mode or xattrs, nor names that are not UTF-8, nor trees deeper than PATH_MAX', async () => {
    const secret = uniqueMarker('carry');
    const src = `
import os, sys
secret = sys.argv[1].encode()
os.setxattr("/box", "user.leak", secret)
os.mkdir(b"/box/\\xff\\xfe-" + secret)
with open(b"/box/\\xff\\xfe-" + secret + b"/note", "wb") as f:
    f.write(secret)
with open(b"/box/\\xc3\\x28" + secret, "wb") as f:
    f.write(secret)
os.chdir("/box")
for _ in range(2500):  # 5000 bytes of path: deeper than PATH_MAX, and deep enough to overflow a recursive rm
    os.mkdir("a")
    os.chdir("a")
os.utime("/box", (0, 0))
os.chmod("/box", 0o500)
print("planted")
`;
    const r = await runCode(ctx.engine, 'python', src, { args: [secret], limits: { wallMs: 20_000 } });
    expect(r.run?.status, r.run?.stderr.toString()).toBe('ok');
    expect(out(r)).toBe('planted\n');
    const find = `
import os, sys
hits = []
for top in ("/box", "/tmp"):
    for d, dirs, files in os.walk(top.encode()):
        for n in dirs + files:
            if sys.argv[1].encode() in n or n.startswith(b"\\xff"):
                hits.append(n)
for n in os.listxattr("/box"):
    hits.append(n.encode() + b"=" + os.getxattr("/box", n))
print("hits=%r" % hits)
print("box_mtime_zero=" + str(os.stat("/box").st_mtime == 0))
`;
    for (let i = 0; i < 2; i++) {
      const [a, b] = await Promise.all([
        ctx.engine.run({ language: 'python', files: [{ path: 'main.py', content: find }], args: [secret] }),
        ctx.engine.run({ language: 'python', files: [{ path: 'main.py', content: find }], args: [secret] }),
      ]);
      for (const x of [a!, b!]) {
        expect(x.run?.status, x.run?.stderr.toString()).toBe('ok');
        expect(out(x)).toBe('hits=[]\nbox_mtime_zero=False\n');
      }
    }
    await expectCleanSlots();
  });
});
