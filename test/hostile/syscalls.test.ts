/**
 * System calls the seccomp filter and the dropped privileges refuse, foreign-ABI calls that kill
 * the process, and attempts to forge the result the host reports.
 */
import { execFileSync, spawnSync } from 'node:child_process';
import fs from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import { describe, expect, it } from 'vitest';
import { DENIED_SYSCALLS } from '../../src/engine/sandbox/seccomp.js';
import { out, runCode, useEngine } from '../helpers/engine.js';
import { C_PRELUDE, ERRNO, parseLines } from './hostile.js';

/** Whether this host's kernel runs an i386 `int 0x80` call from a 64-bit process (no sandbox). */
function hostRunsInt80(src: string): boolean {
  const dir = fs.mkdtempSync(path.join(os.tmpdir(), 'int80-'));
  try {
    fs.writeFileSync(path.join(dir, 'p.c'), src);
    execFileSync('gcc', ['-O0', '-o', path.join(dir, 'p'), path.join(dir, 'p.c')]);
    const r = spawnSync(path.join(dir, 'p'), { encoding: 'utf8' });
    return r.signal === null && r.stdout.includes('survived');
  } finally {
    fs.rmSync(dir, { recursive: true, force: true });
  }
}

describe('hostile: system calls', () => {
  const ctx = useEngine();
  /** Compiles and runs a C attack that must run to its end; its "key=value" lines. */
  const cLines = async (src: string) => {
    const r = await runCode(ctx.engine, 'c', src);
    expect(r.compile?.status, r.compile?.stderr.toString()).toBe('ok');
    expect(r.run?.status, r.run?.stderr.toString()).toBe('ok');
    return parseLines(out(r));
  };

  it('escape and kernel-surface calls fail: ptrace, mount, unshare, clone3, namespaced clone, setns, bpf, keyctl, io_uring, perf', async () => {
    const src = `${C_PRELUDE}
#include <sched.h>
#include <sys/ioctl.h>
#include <sys/mount.h>
#include <sys/ptrace.h>
#include <grp.h>
int main(void) {
  T("ptrace_traceme", syscall(SYS_ptrace, PTRACE_TRACEME, 0, 0, 0));
  T("ptrace_attach_parent", syscall(SYS_ptrace, PTRACE_ATTACH, getppid(), 0, 0));
  T("ptrace_attach_pid1", syscall(SYS_ptrace, PTRACE_ATTACH, 1, 0, 0));
  T("mount_tmpfs", mount("none", "/tmp", "tmpfs", 0, NULL));
  T("mount_remount_rw", mount(NULL, "/", NULL, MS_REMOUNT | MS_BIND, NULL));
  T("umount_box", umount2("/box", MNT_DETACH));
  T("unshare_user", unshare(CLONE_NEWUSER));
  T("unshare_ns", unshare(CLONE_NEWNS));
  T("unshare_net", unshare(CLONE_NEWNET));
  T("clone3", syscall(435, NULL, 0));
  T("clone_newuser", syscall(SYS_clone, CLONE_NEWUSER | SIGCHLD, 0, 0, 0, 0));
  T("clone_newnet", syscall(SYS_clone, CLONE_NEWNET | SIGCHLD, 0, 0, 0, 0));
  T("clone_newpid", syscall(SYS_clone, CLONE_NEWPID | SIGCHLD, 0, 0, 0, 0));
  int nsfd = open("/proc/1/ns/net", O_RDONLY);
  T("setns", syscall(SYS_setns, nsfd, 0));
  T("bpf", syscall(SYS_bpf, 0, 0, 0));
  T("keyctl", syscall(SYS_keyctl, 0, 0, 0, 0, 0));
  T("add_key", syscall(SYS_add_key, "user", "x", "y", 1, -3));
  T("io_uring_setup", syscall(425, 1, 0));
  T("perf_event_open", syscall(SYS_perf_event_open, 0, 0, -1, -1, 0));
  T("userfaultfd", syscall(SYS_userfaultfd, 0));
  T("iopl", syscall(SYS_iopl, 0));
  T("tiocsti", ioctl(0, TIOCSTI, "x"));
  T("chroot", chroot("/tmp"));
  T("setuid0", setuid(0));
  T("setresuid0", setresuid(0, 0, 0));
  T("setgroups", setgroups(0, NULL));
  T("sethostname", sethostname("pwned", 5));
  printf("uid_after=%d\\n", (int)geteuid());
  return 0;
}
`;
    const lines = await cLines(src);
    const eperm = `-1 errno=${ERRNO.EPERM}`;
    for (const k of [
      'ptrace_traceme', 'ptrace_attach_parent', 'ptrace_attach_pid1', 'mount_tmpfs', 'mount_remount_rw', 'umount_box',
      'unshare_user', 'unshare_ns', 'unshare_net', 'clone_newuser', 'clone_newnet', 'clone_newpid', 'setns', 'bpf',
      'keyctl', 'add_key', 'io_uring_setup', 'perf_event_open', 'userfaultfd', 'iopl', 'tiocsti',
      'chroot', 'setgroups', 'sethostname',
    ]) {
      expect(lines.get(k), k).toBe(eperm);
    }
    expect(lines.get('clone3')).toBe(`-1 errno=${ERRNO.ENOSYS}`);
    // uid 0 is not even mapped in the sandbox's user namespace: EINVAL (or EPERM).
    for (const k of ['setuid0', 'setresuid0']) expect(lines.get(k), k).toMatch(/^-1 errno=(1|22)$/);
    expect(Number(lines.get('uid_after'))).toBeGreaterThan(0);
  });

  it('no way to make or enter a user namespace: the seccomp filter alone refuses them all (the sandbox has no nested one)', async () => {
    // bubblewrap's --disable-userns (a nested user namespace with max_user_namespaces 0) is not
    // used: this is what stands in its place. A call that got through would return 0 in a child
    // (which exits at once) and a pid in the parent, so any success shows as a non-negative r.
    const src = `${C_PRELUDE}
#include <sched.h>
#include <stdint.h>
#include <sys/stat.h>
struct clone_args_ { uint64_t flags, pidfd, child_tid, parent_tid, exit_signal, stack, stack_size, tls, set_tid, set_tid_size, cgroup; };
static long do_clone(unsigned long flags) { long r = syscall(SYS_clone, flags, 0, 0, 0, 0); if (r == 0) _exit(0); return r; }
static long do_clone3(uint64_t flags) {
  struct clone_args_ a; memset(&a, 0, sizeof a); a.flags = flags; a.exit_signal = SIGCHLD;
  long r = syscall(435, &a, sizeof a); if (r == 0) _exit(0); return r;
}
static unsigned long ns_ino(void) { struct stat st; return stat("/proc/self/ns/user", &st) ? 0 : (unsigned long)st.st_ino; }
int main(void) {
  unsigned long before = ns_ino();
  const unsigned long HIGH = 0xffffffff00000000UL;
  T("unshare_user", syscall(SYS_unshare, CLONE_NEWUSER));
  T("unshare_user_ns", syscall(SYS_unshare, CLONE_NEWUSER | CLONE_NEWNS));
  T("unshare_user_high", syscall(SYS_unshare, HIGH | CLONE_NEWUSER));
  T("unshare_zero_high", syscall(SYS_unshare, HIGH));
  T("clone_user", do_clone(CLONE_NEWUSER | SIGCHLD));
  T("clone_user_high", do_clone(HIGH | CLONE_NEWUSER | SIGCHLD));
  T("clone_user_pid", do_clone(CLONE_NEWUSER | CLONE_NEWPID | SIGCHLD));
  T("clone3_user", do_clone3(CLONE_NEWUSER));
  T("clone3_plain", do_clone3(0));
  int fd = open("/proc/self/ns/user", O_RDONLY);
  T("setns_user", syscall(SYS_setns, fd, CLONE_NEWUSER));
  T("setns_any", syscall(SYS_setns, fd, 0));
  int fd1 = open("/proc/1/ns/user", O_RDONLY);
  T("setns_pid1_user", syscall(SYS_setns, fd1, 0));
  while (waitpid(-1, NULL, 0) > 0) {}
  printf("same_userns=%d\\n", ns_ino() == before && before != 0);
  return 0;
}
`;
    const lines = await cLines(src);
    const eperm = `-1 errno=${ERRNO.EPERM}`;
    for (const k of ['unshare_user', 'unshare_user_ns', 'unshare_user_high', 'unshare_zero_high', 'clone_user', 'clone_user_high', 'clone_user_pid', 'setns_user', 'setns_any', 'setns_pid1_user']) {
      expect(lines.get(k), k).toBe(eperm);
    }
    expect(lines.get('clone3_user')).toBe(`-1 errno=${ERRNO.ENOSYS}`);
    expect(lines.get('clone3_plain')).toBe(`-1 errno=${ERRNO.ENOSYS}`);
    expect(lines.get('same_userns')).toBe('1');
  });

  it('every call on the deny list fails with EPERM, whatever its arguments', async () => {
    // Zero arguments everywhere: without the filter most of these would fail with EFAULT or
    // EINVAL (and iopl(0) would succeed), so EPERM is the filter's answer.
    const calls = Object.entries(DENIED_SYSCALLS);
    const src = `${C_PRELUDE}
int main(void) {
${calls.map(([name, nr]) => `  T("${name}", syscall(${nr}, 0, 0, 0, 0, 0, 0));`).join('\n')}
  return 0;
}
`;
    const r = await runCode(ctx.engine, 'c', src);
    expect(r.run?.status, r.run?.stderr.toString()).toBe('ok');
    const lines = parseLines(out(r));
    expect(lines.size).toBe(calls.length);
    for (const [name] of calls) expect(lines.get(name), name).toBe(`-1 errno=${ERRNO.EPERM}`);
  });

  it('an i386 int 0x80 system call from a 64-bit program is killed by seccomp (SIGSYS)', async () => {
    const src = `#include <stdio.h>
int main(void) {
  printf("before\\n");
  fflush(stdout);
  long r;
  __asm__ volatile("int $0x80" : "=a"(r) : "a"(20L) : "memory"); /* i386 getpid */
  printf("survived %ld\\n", r);
  return 0;
}
`;
    const r = await runCode(ctx.engine, 'c', src);
    expect(r.run?.status).toBe('runtime_error');
    expect(out(r)).toBe('before\n');
    // Some kernels (ia32 emulation turned off at boot or by the hypervisor, as on some of our
    // CI VMs) fault `int 0x80` before any filter sees it: the same program dies of SIGSEGV
    // outside the sandbox too. There the call cannot be made at all; everywhere else seccomp
    // must be what kills it.
    expect(r.run?.signal).toBe(hostRunsInt80(src) ? 'SIGSYS' : 'SIGSEGV');
  });

  it('an x32 system call (nr | 0x40000000) is killed by seccomp (SIGSYS)', async () => {
    const src = `${C_PRELUDE}
int main(void) {
  printf("before\\n");
  fflush(stdout);
  long r = syscall(0x40000000L | SYS_getpid);
  printf("survived %ld\\n", r);
  return 0;
}
`;
    const r = await runCode(ctx.engine, 'c', src);
    expect(r.run?.status).toBe('runtime_error');
    expect(r.run?.signal).toBe('SIGSYS');
    expect(out(r)).toBe('before\n');
  });

  it('starts with only stdin, stdout and stderr open, and cannot forge its result through other fds', async () => {
    // Writes "exit 0" (and the launcher's end marker) to every fd it can, and tries to reopen the
    // status pipe through /proc of the other processes in the sandbox; then exits 3.
    const src = `${C_PRELUDE}
#include <dirent.h>
int main(void) {
  DIR *d = opendir("/proc/self/fd");
  struct dirent *e;
  printf("fds=");
  while ((e = readdir(d))) if (e->d_name[0] != '.' && atoi(e->d_name) != dirfd(d)) printf("%s,", e->d_name);
  printf("\\n");
  closedir(d);
  const char *forged = "exit 0\\nsandbox-exit 0\\n";
  int wrote = 0;
  for (int fd = 3; fd < 1024; fd++) if (write(fd, forged, strlen(forged)) > 0) wrote++;
  printf("wrote=%d\\n", wrote);
  int reopened = 0;
  for (int pid = 1; pid < 10; pid++) for (int fd = 0; fd < 64; fd++) {
    char p[64];
    snprintf(p, sizeof p, "/proc/%d/fd/%d", pid, fd);
    int w = open(p, O_WRONLY | O_NONBLOCK);
    if (w >= 0) {
      if (write(w, forged, strlen(forged)) > 0 && fd > 2) reopened++;
      close(w);
    }
  }
  printf("reopened=%d\\n", reopened);
  fflush(stdout);
  return 3;
}
`;
    const r = await runCode(ctx.engine, 'c', src);
    const lines = parseLines(out(r));
    expect(lines.get('fds')).toBe('0,1,2,');
    expect(lines.get('wrote')).toBe('0');
    expect(lines.get('reopened')).toBe('0');
    expect(r.run?.status).toBe('runtime_error');
    expect(r.run?.exitCode).toBe(3);
  });

  it('cannot kill its own init: the signal does nothing and the run reports the program\'s real status', async () => {
    // The init is pid 1 of the namespace: a SIGKILL from inside is dropped. Forged outcomes
    // through a dead init are covered in forged-failure.test.ts.
    const src = `${C_PRELUDE}
int main(void) {
  T("kill_init", kill(getppid(), SIGKILL));
  usleep(100000);
  return 0;
}
`;
    const r = await runCode(ctx.engine, 'c', src);
    expect(out(r)).toBe('kill_init=0 errno=0\n');
    expect(r.run?.status).toBe('ok');
    expect(r.run?.exitCode).toBe(0);
  });

  it('modify_ldt, personality (but the query and PER_LINUX) and the TIOCSTI/TIOCLINUX ioctls fail with EPERM', async () => {
    // Without the filter: modify_ldt(0) reads the LDT (returns 0 bytes), personality(READ_IMPLIES_EXEC)
    // and ADDR_NO_RANDOMIZE succeed, TIOCSTI/TIOCLINUX on a pipe are ENOTTY (25) or EINVAL.
    const src = `${C_PRELUDE}
#include <sys/ioctl.h>
#include <sys/personality.h>
int main(void) {
  char ldt[64];
  T("modify_ldt_read", syscall(SYS_modify_ldt, 0, ldt, sizeof ldt));
  struct { unsigned int entry_number, base_addr, limit, flags; } desc = {0, 0, 0xfffff, 0x51};
  T("modify_ldt_write", syscall(SYS_modify_ldt, 1, &desc, sizeof desc));
  T("personality_query", personality(0xffffffff));
  T("personality_linux", personality(PER_LINUX));
  T("personality_rie", personality(READ_IMPLIES_EXEC));
  T("personality_norandom", personality(ADDR_NO_RANDOMIZE));
  T("personality_linux32", personality(PER_LINUX32));
  T("personality_high_bits", syscall(SYS_personality, 0x100000000UL | READ_IMPLIES_EXEC));
  T("personality_after", personality(0xffffffff));
  char c = 'x';
  T("tiocsti_stdin", ioctl(0, TIOCSTI, &c));
  T("tiocsti_stdout", ioctl(1, TIOCSTI, &c));
  char sub = 6; /* TIOCL_GETSHIFTSTATE */
  T("tioclinux", ioctl(0, TIOCLINUX, &sub));
  int fd = open("/dev/tty", O_RDWR);
  T("tiocsti_tty", fd < 0 ? (errno = ENXIO, -1) : ioctl(fd, TIOCSTI, &c));
  return 0;
}
`;
    const r = await runCode(ctx.engine, 'c', src);
    expect(r.run?.status, r.run?.stderr.toString()).toBe('ok');
    const lines = parseLines(out(r));
    const eperm = `-1 errno=${ERRNO.EPERM}`;
    expect(lines.get('modify_ldt_read')).toBe(eperm);
    expect(lines.get('modify_ldt_write')).toBe(eperm);
    expect(lines.get('personality_query')).toBe('0 errno=0');
    expect(lines.get('personality_linux')).toBe('0 errno=0');
    expect(lines.get('personality_rie')).toBe(eperm);
    expect(lines.get('personality_norandom')).toBe(eperm);
    expect(lines.get('personality_linux32')).toBe(eperm);
    expect(lines.get('personality_high_bits')).toBe(eperm);
    expect(lines.get('personality_after')).toBe('0 errno=0');
    expect(lines.get('tiocsti_stdin')).toBe(eperm);
    expect(lines.get('tiocsti_stdout')).toBe(eperm);
    expect(lines.get('tioclinux')).toBe(eperm);
    // No controlling terminal at all (--new-session): /dev/tty cannot even be opened.
    expect(lines.get('tiocsti_tty')).toMatch(/^-1 errno=(1|6)$/);
  });

  it('dumps no core (RLIMIT_CORE is 0) and a crash is reported as the signal it was', async () => {
    const src = `${C_PRELUDE}
#include <sys/resource.h>
int main(void) {
  struct rlimit rl;
  getrlimit(RLIMIT_CORE, &rl);
  printf("core=%ld/%ld\\n", (long)rl.rlim_cur, (long)rl.rlim_max);
  T("raise_core_limit", (rl.rlim_cur = rl.rlim_max = 1 << 30, setrlimit(RLIMIT_CORE, &rl)));
  pid_t c = fork();
  if (c == 0) abort();
  int st;
  waitpid(c, &st, 0);
  printf("child_signal=%d coredump=%d\\n", WTERMSIG(st), WCOREDUMP(st) ? 1 : 0);
  printf("core_file=%d\\n", access("core", F_OK) == 0 || access("core.2", F_OK) == 0);
  fflush(stdout);
  *(volatile int *)0 = 1;
  return 0;
}
`;
    const r = await runCode(ctx.engine, 'c', src);
    const lines = parseLines(out(r));
    expect(lines.get('core')).toBe('0/0');
    expect(lines.get('raise_core_limit')).toBe(`-1 errno=${ERRNO.EPERM}`);
    expect(lines.get('child_signal')).toBe('6 coredump=0');
    expect(lines.get('core_file')).toBe('0');
    expect(r.run?.status).toBe('runtime_error');
    expect(r.run?.signal).toBe('SIGSEGV');
  });
});
