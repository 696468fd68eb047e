/**
 * Reading the host: secrets in host files, the checkout, the engine's data, host processes'
 * environments, and /proc and /sys. Every secret is a unique marker the host planted, so "the
 * output does not contain it" is a check that fails the moment anything leaks.
 */
import fs from 'node:fs';
import os from 'node:os';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { REPO_ROOT } from '../../src/config/config.js';
import { out, runCode, useEngine } from '../helpers/engine.js';
import { type ChildProcess } from 'node:child_process';
import { hostSecrets, hostSleeper, isAlive, parseLines, slotUids, stopAll, uniqueMarker } from './hostile.js';

describe('hostile: host files', () => {
  const ctx = useEngine();
  let secrets: ReturnType<typeof hostSecrets>;
  let shadowLine = '';

  beforeAll(() => {
    secrets = hostSecrets('read');
    // The part of the host's /etc/shadow that must never appear: its first entry.
    shadowLine = fs.readFileSync('/etc/shadow', 'utf8').split('\n')[0]!;
  });
  afterAll(() => secrets?.remove());

  it('cannot read /etc/shadow, /root, /home, the checkout, the data dir or root-only host files', async () => {
    const src = `
import os, sys
def attempt(name, fn):
    try:
        data = fn()
        print(f"{name}=READ {data!r}")
    except OSError as e:
        print(f"{name}={e.errno}")
attempt("shadow", lambda: open("/etc/shadow").read())
attempt("passwd", lambda: open("/etc/passwd").read())
attempt("root", lambda: os.listdir("/root"))
attempt("home", lambda: os.listdir("/home"))
attempt("hostname", lambda: open("/etc/hostname").read())
for i, p in enumerate(sys.argv[1:]):
    attempt(f"path{i}", lambda: open(p).read() if not os.path.isdir(p) else os.listdir(p))
print("uname=" + os.uname().nodename)
`;
    const paths = [secrets.hidden.file, secrets.visible.file, secrets.visible.dir, REPO_ROOT, `${REPO_ROOT}/package.json`, ctx.config.DATA_DIR];
    const r = await runCode(ctx.engine, 'python', src, { args: paths });
    expect(r.run?.status, r.run?.stderr.toString()).toBe('ok');
    const text = out(r);
    const lines = parseLines(text);
    for (const key of ['shadow', 'passwd', 'root', 'home', 'hostname', 'path0', 'path3', 'path4', 'path5']) {
      expect(lines.get(key), key).toBe('2'); // ENOENT: not in the sandbox's view at all
    }
    expect(lines.get('path1')).toBe('13'); // EACCES: bound (/usr) but root-only
    // The visible directory itself may be listed (it is 0755), showing the name, not the content.
    expect(lines.get('path2')).toMatch(/^READ \['secret\.h'\]$/);
    expect(lines.get('uname')).toBe('muscode');
    expect(lines.get('uname')).not.toBe(os.hostname());
    for (const secret of [secrets.hidden.marker, secrets.visible.marker, shadowLine]) expect(text).not.toContain(secret);
  });

  it('cannot see or read the environment and command line of host processes, even of its own uid', async () => {
    const marker = uniqueMarker('environ');
    // One sleeper per slot uid: whichever slot runs the program, a host process of the same uid exists.
    const sleepers: ChildProcess[] = slotUids(ctx.config).map((uid) => hostSleeper(uid, marker));
    try {
      const src = `
import os, sys
secret = sys.argv[1][::-1].encode()  # passed reversed, so that no cmdline holds it
seen, found = [], []
for pid in os.listdir("/proc"):
    if not pid.isdigit():
        continue
    seen.append(pid)
    for f in ("environ", "cmdline"):
        try:
            data = open(f"/proc/{pid}/{f}", "rb").read()
            if secret in data:
                found.append(f"{pid}/{f}")
        except OSError:
            pass
for hp in sys.argv[2:]:
    print(f"hostpid {hp}=" + str(os.path.exists(f"/proc/{hp}")))
print("pids=" + ",".join(sorted(seen, key=int)))
print("found=" + ",".join(found))
`;
      const hostPids = sleepers.map((s) => String(s.pid));
      const r = await runCode(ctx.engine, 'python', src, { args: [[...marker].reverse().join(''), ...hostPids] });
      expect(r.run?.status, r.run?.stderr.toString()).toBe('ok');
      const lines = parseLines(out(r));
      expect(lines.get('found')).toBe('');
      const pids = lines.get('pids')!.split(',');
      // bwrap's pid 1, the init and the program: a handful of small pids, no host ones.
      expect(pids.length).toBeLessThanOrEqual(4);
      for (const p of pids) expect(Number(p)).toBeLessThan(10);
      for (const hp of hostPids) expect(lines.get(`hostpid ${hp}`)).toBe('False');
      for (const s of sleepers) expect(isAlive(s.pid!)).toBe(true);
    } finally {
      await stopAll(sleepers);
    }
  });

  it('finds no host path in /proc/self/mountinfo, cannot write /proc/sys, read /proc/kcore, or see /sys', async () => {
    const src = `
import os
def attempt(name, fn):
    try:
        fn()
        print(f"{name}=ok")
    except OSError as e:
        print(f"{name}={e.errno}")
print("MOUNTINFO-BEGIN")
print(open("/proc/self/mountinfo").read())
print(open("/proc/mounts").read())
print("MOUNTINFO-END")
attempt("kcore", lambda: open("/proc/kcore", "rb").read(64))
attempt("kmsg", lambda: open("/proc/kmsg", "rb").read(1))
attempt("sys_hostname", lambda: open("/proc/sys/kernel/hostname", "w").write("pwned"))
attempt("core_pattern", lambda: open("/proc/sys/kernel/core_pattern", "w").write("|/box/x"))
attempt("sysrq", lambda: open("/proc/sysrq-trigger", "w").write("h"))
attempt("sys", lambda: os.listdir("/sys"))
attempt("cgroupfs", lambda: os.listdir("/sys/fs/cgroup"))
print("hostname_after=" + os.uname().nodename)
print("cgroups=" + ",".join(l.split(":", 2)[2] for l in open("/proc/self/cgroup").read().splitlines()))
`;
    const r = await runCode(ctx.engine, 'python', src);
    expect(r.run?.status, r.run?.stderr.toString()).toBe('ok');
    const text = out(r);
    const mounts = text.slice(text.indexOf('MOUNTINFO-BEGIN'), text.indexOf('MOUNTINFO-END'));
    expect(mounts).toContain(' /box ');
    // The writable mounts are nosuid and nodev.
    for (const mnt of [' /box ', ' /tmp ', ' /dev/shm ']) {
      for (const line of mounts.split('\n').filter((l) => l.includes(mnt) && !l.startsWith('MOUNT'))) {
        expect(line, mnt).toMatch(/\bnosuid\b/);
        if (mnt !== ' /dev/shm ') expect(line, mnt).toMatch(/\bnodev\b/);
      }
    }
    for (const hostPath of [REPO_ROOT, ctx.config.DATA_DIR, '/home', '/root', '/etc/shadow']) expect(mounts).not.toContain(hostPath);
    const lines = parseLines(text);
    for (const key of ['kcore', 'kmsg', 'sys_hostname', 'core_pattern', 'sysrq', 'sys', 'cgroupfs']) {
      expect(lines.get(key), key).not.toBe('ok');
    }
    expect(lines.get('hostname_after')).toBe('muscode');
    // Its own cgroup namespace: the host's cgroup paths (with the engine's names) are hidden.
    expect(new Set(lines.get('cgroups')!.split(','))).toEqual(new Set(['/']));
  });

  it('runs without privileges: uid is not 0, no capabilities, no_new_privs, seccomp on', async () => {
    const src = `
import os
status = dict(l.split(":", 1) for l in open("/proc/self/status").read().splitlines())
for k in ("Uid", "Gid", "CapInh", "CapPrm", "CapEff", "CapBnd", "CapAmb", "NoNewPrivs", "Seccomp"):
    print(k + "=" + " ".join(status[k].split()))
print("getuid=%d geteuid=%d" % (os.getuid(), os.geteuid()))
`;
    const r = await runCode(ctx.engine, 'python', src);
    expect(r.run?.status).toBe('ok');
    const lines = parseLines(out(r));
    const uids = lines.get('Uid')!.split(' ').map(Number);
    expect(uids).toHaveLength(4);
    for (const u of uids) expect(slotUids(ctx.config)).toContain(u);
    for (const cap of ['CapInh', 'CapPrm', 'CapEff', 'CapBnd', 'CapAmb']) expect(lines.get(cap), cap).toBe('0000000000000000');
    expect(lines.get('NoNewPrivs')).toBe('1');
    expect(lines.get('Seccomp')).toBe('2');
  });

  it('gains nothing from setuid binaries: every one runs with the caller\'s uid (no_new_privs)', async () => {
    // A preload library, built inside the box with the sandbox's own gcc, reports the effective
    // uid of each setuid binary it is injected into. Were the setuid bit honoured, the loader
    // would run in secure mode, ignore LD_PRELOAD, and the report line would be missing.
    const src = `
import os, stat, subprocess
lib = '#include <stdio.h>\\n#include <unistd.h>\\n__attribute__((constructor)) static void f(void) { fprintf(stderr, "PRELOAD euid=%d\\\\n", (int)geteuid()); }\\n'
open("/tmp/p.c", "w").write(lib)
subprocess.run(["/usr/bin/gcc", "-shared", "-fPIC", "-o", "/tmp/p.so", "/tmp/p.c"], check=True)
found = []
for top in ("/usr/bin", "/usr/sbin", "/usr/lib", "/usr/libexec", "/usr/local"):
    for d, _, files in os.walk(top):
        for f in files:
            p = os.path.join(d, f)
            try:
                st = os.lstat(p)
            except OSError:
                continue
            if stat.S_ISREG(st.st_mode) and st.st_mode & stat.S_ISUID:
                found.append(p)
print("count=%d" % len(found))
for p in sorted(found):
    if not os.access(p, os.X_OK):
        print(f"suid {p}=noexec")
        continue
    try:
        err = subprocess.run([p, "--help"], stdin=subprocess.DEVNULL, capture_output=True, timeout=3,
                             env={"LD_PRELOAD": "/tmp/p.so", "PATH": "/usr/bin"}).stderr
    except subprocess.TimeoutExpired as e:
        err = e.stderr or b""
    tags = [l for l in err.decode(errors="replace").splitlines() if l.startswith("PRELOAD")]
    print(f"suid {p}=" + (tags[0] if tags else "no-preload"))
print("self euid=%d" % os.geteuid())
`;
    const r = await runCode(ctx.engine, 'python', src, { limits: { cpuMs: 10_000, wallMs: 30_000 } });
    expect(r.run?.status, r.run?.stderr.toString()).toBe('ok');
    const lines = parseLines(out(r));
    const euid = lines.get('self euid')!;
    expect(Number(euid)).toBeGreaterThan(0);
    // Debian always ships su, passwd, mount (util-linux, login, passwd packages).
    const runnable = [...lines].filter(([k, v]) => k.startsWith('suid ') && v !== 'noexec');
    expect(runnable.length).toBeGreaterThanOrEqual(3);
    for (const [k, v] of runnable) expect(v, k).toBe(`PRELOAD euid=${euid}`);
  });
});
