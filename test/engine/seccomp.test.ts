import fs from 'node:fs';
import { describe, expect, it } from 'vitest';
import {
  AUDIT_ARCH_X86_64,
  buildSeccompProgram,
  CLONE_NS_FLAGS,
  DENIED_SYSCALLS,
  encodeProgram,
  evaluate,
  SECCOMP_RET_ALLOW,
  SECCOMP_RET_ERRNO,
  SECCOMP_RET_KILL_PROCESS,
  SYS_CLONE,
  SYS_CLONE3,
  SYS_IOCTL,
  SYS_PERSONALITY,
  seccompFilter,
} from '../../src/engine/sandbox/seccomp.js';
import { out, runCode, useEngine } from '../helpers/engine.js';

/**
 * The seccomp policy, table-tested through the generator's own BPF interpreter, with the
 * expected values written out independently (syscall numbers from the kernel's uapi header,
 * flag values from clone(2)); then one program against the real kernel.
 */

const program = buildSeccompProgram();
const EPERM = SECCOMP_RET_ERRNO | 1;
const ENOSYS = SECCOMP_RET_ERRNO | 38;
const x64 = (nr: number, args: number[] = []) => evaluate(program, { arch: AUDIT_ARCH_X86_64, nr, args });

/** x86_64 syscall numbers as the kernel headers define them. */
function kernelSyscallNumbers(): Map<string, number> {
  const text = fs.readFileSync('/usr/include/x86_64-linux-gnu/asm/unistd_64.h', 'utf8');
  return new Map([...text.matchAll(/^#define __NR_(\w+) (\d+)$/gm)].map((m) => [m[1]!, Number(m[2])]));
}

const CLONE_NAMESPACE_FLAGS: Record<string, number> = {
  CLONE_NEWTIME: 0x00000080,
  CLONE_NEWNS: 0x00020000,
  CLONE_NEWCGROUP: 0x02000000,
  CLONE_NEWUTS: 0x04000000,
  CLONE_NEWIPC: 0x08000000,
  CLONE_NEWUSER: 0x10000000,
  CLONE_NEWPID: 0x20000000,
  CLONE_NEWNET: 0x40000000,
};
// What glibc's pthread_create passes to clone.
const THREAD_FLAGS = 0x3d0f00;
const SIGCHLD = 17;

describe('seccomp policy (BPF interpreter)', () => {
  it('the denied syscall table uses the kernel\'s x86_64 numbers', () => {
    const nrs = kernelSyscallNumbers();
    for (const [name, nr] of Object.entries(DENIED_SYSCALLS)) expect([name, nr]).toEqual([name, nrs.get(name)]);
    expect(SYS_CLONE).toBe(nrs.get('clone'));
    expect(SYS_CLONE3).toBe(nrs.get('clone3'));
    expect(SYS_IOCTL).toBe(nrs.get('ioctl'));
    expect(SYS_PERSONALITY).toBe(nrs.get('personality'));
  });

  it('denies the escape and kernel-attack-surface calls', () => {
    const names = Object.keys(DENIED_SYSCALLS);
    for (const must of ['ptrace', 'mount', 'unshare', 'setns', 'bpf', 'keyctl', 'perf_event_open', 'io_uring_setup', 'userfaultfd', 'kexec_load', 'modify_ldt']) {
      expect(names).toContain(must);
    }
  });

  for (const [name, nr] of Object.entries(DENIED_SYSCALLS)) {
    it(`${name} (${nr}) -> EPERM`, () => {
      expect(x64(nr)).toBe(EPERM);
    });
  }

  for (const [flag, value] of Object.entries(CLONE_NAMESPACE_FLAGS)) {
    it(`clone with ${flag} -> EPERM, alone and with other flags`, () => {
      expect(CLONE_NS_FLAGS & value).toBe(value);
      expect(x64(SYS_CLONE, [value])).toBe(EPERM);
      expect(x64(SYS_CLONE, [value | SIGCHLD])).toBe(EPERM);
      expect(x64(SYS_CLONE, [(value | THREAD_FLAGS) >>> 0])).toBe(EPERM);
    });
  }

  it('clone for a thread or a plain fork is allowed', () => {
    expect(x64(SYS_CLONE, [THREAD_FLAGS])).toBe(SECCOMP_RET_ALLOW);
    expect(x64(SYS_CLONE, [SIGCHLD])).toBe(SECCOMP_RET_ALLOW);
    // vfork-style (CLONE_VM | CLONE_VFORK | SIGCHLD), as posix_spawn uses it
    expect(x64(SYS_CLONE, [0x4000 | 0x100 | SIGCHLD])).toBe(SECCOMP_RET_ALLOW);
  });

  it('clone3 -> ENOSYS (its flags are out of reach of BPF; libc falls back to clone)', () => {
    expect(x64(SYS_CLONE3)).toBe(ENOSYS);
    expect(x64(SYS_CLONE3, [0x10000000])).toBe(ENOSYS);
  });

  it('any other architecture kills the process', () => {
    const AUDIT_ARCH_I386 = 0x40000003;
    expect(evaluate(program, { arch: AUDIT_ARCH_I386, nr: 0 })).toBe(SECCOMP_RET_KILL_PROCESS);
    expect(evaluate(program, { arch: AUDIT_ARCH_I386, nr: 3 })).toBe(SECCOMP_RET_KILL_PROCESS);
    const AUDIT_ARCH_AARCH64 = 0xc00000b7;
    expect(evaluate(program, { arch: AUDIT_ARCH_AARCH64, nr: 63 })).toBe(SECCOMP_RET_KILL_PROCESS);
  });

  it('x32 system calls (nr with bit 30) kill the process', () => {
    expect(x64(0x40000000 | 1)).toBe(SECCOMP_RET_KILL_PROCESS);
    expect(x64(0x40000000 | 101)).toBe(SECCOMP_RET_KILL_PROCESS);
    expect(x64(0x40000000 | 272)).toBe(SECCOMP_RET_KILL_PROCESS);
  });

  it('ioctl: TIOCSTI and TIOCLINUX -> EPERM, other requests allowed', () => {
    expect(x64(SYS_IOCTL, [0, 0x5412])).toBe(EPERM); // TIOCSTI
    expect(x64(SYS_IOCTL, [0, 0x541c])).toBe(EPERM); // TIOCLINUX
    expect(x64(SYS_IOCTL, [0, 0x5401])).toBe(SECCOMP_RET_ALLOW); // TCGETS
    expect(x64(SYS_IOCTL, [1, 0x5413])).toBe(SECCOMP_RET_ALLOW); // TIOCGWINSZ
  });

  it('personality: the query (0xffffffff) and PER_LINUX (0) are allowed, every other persona -> EPERM', () => {
    expect(x64(SYS_PERSONALITY, [0xffffffff])).toBe(SECCOMP_RET_ALLOW);
    expect(x64(SYS_PERSONALITY, [0])).toBe(SECCOMP_RET_ALLOW);
    // READ_IMPLIES_EXEC, ADDR_NO_RANDOMIZE, PER_LINUX32, PER_BSD, ADDR_COMPAT_LAYOUT, UNAME26
    for (const persona of [0x0400000, 0x0040000, 0x0008, 0x0006, 0x0200000, 0x0020000, 0x0040000 | 0x0400000]) {
      expect([persona, x64(SYS_PERSONALITY, [persona])]).toEqual([persona, EPERM]);
    }
  });

  it('modify_ldt -> EPERM whatever it is asked (read or write)', () => {
    expect(x64(154, [0])).toBe(EPERM);
    expect(x64(154, [1])).toBe(EPERM);
    expect(x64(154, [0x11])).toBe(EPERM);
  });

  it('ordinary calls are allowed', () => {
    const nrs = kernelSyscallNumbers();
    for (const name of ['read', 'write', 'openat', 'execve', 'mmap', 'exit_group', 'wait4', 'futex', 'fork', 'vfork', 'kill']) {
      expect([name, x64(nrs.get(name)!)]).toEqual([name, SECCOMP_RET_ALLOW]);
    }
  });

  it('encodes to struct sock_filter[] whose first instruction loads the arch', () => {
    const buf = encodeProgram(program);
    expect(buf.length).toBe(8 * program.length);
    expect(buf.readUInt16LE(0)).toBe(0x20); // BPF_LD | BPF_W | BPF_ABS
    expect(buf.readUInt8(2)).toBe(0);
    expect(buf.readUInt8(3)).toBe(0);
    expect(buf.readUInt32LE(4)).toBe(4); // offsetof(struct seccomp_data, arch)
    expect(seccompFilter().equals(buf)).toBe(true);
  });

  it('every jump lands inside the program and the last instruction returns', () => {
    // The kernel refuses a program with a jump out of range or one that can fall off the end.
    program.forEach((insn, i) => {
      if ((insn.code & 0x07) === 0x05) {
        expect(i + 1 + insn.jt).toBeLessThan(program.length);
        expect(i + 1 + insn.jf).toBeLessThan(program.length);
      }
    });
    expect(program.at(-1)!.code).toBe(0x06);
    expect(program.length).toBeLessThanOrEqual(4096);
  });
});

describe('seccomp policy (real kernel)', () => {
  const ctx = useEngine();

  it('unshare, clone3, ptrace and TIOCSTI fail inside the sandbox with the policy\'s errors', async () => {
    // Each of these would behave differently without the filter: clone3 with a NULL argument is
    // EINVAL, PTRACE_TRACEME succeeds, TIOCSTI on a pipe is ENOTTY.
    const source = `#define _GNU_SOURCE
#include <errno.h>
#include <sched.h>
#include <stdio.h>
#include <sys/ioctl.h>
#include <sys/ptrace.h>
#include <sys/syscall.h>
#include <unistd.h>
static void show(const char *what, long r) { printf("%s %ld %d\\n", what, r, r < 0 ? errno : 0); }
int main(void) {
  show("unshare", unshare(CLONE_NEWUSER));
  show("clone3", syscall(SYS_clone3, NULL, 0));
  show("ptrace", ptrace(PTRACE_TRACEME, 0, NULL, NULL));
  char c = 'x';
  show("tiocsti", ioctl(0, TIOCSTI, &c));
  return 0;
}
`;
    const r = await runCode(ctx.engine, 'c', source);
    expect(r.compile?.status).toBe('ok');
    expect(r.run?.status).toBe('ok');
    expect(out(r)).toBe('unshare -1 1\nclone3 -1 38\nptrace -1 1\ntiocsti -1 1\n');
  });
});
