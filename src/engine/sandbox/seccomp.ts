/**
 * Our own seccomp BPF program (classic BPF over `struct seccomp_data`), loaded by bubblewrap
 * (`--seccomp FD`) just before it execs the stage's command. No npm package generates one, and
 * the policy is short enough to read in full:
 *   - any architecture but x86_64 (i386 `int 0x80`, for instance) kills the process;
 *   - x32 system calls (nr with bit 30 set) kill the process;
 *   - kernel-attack-surface and escape calls (ptrace, mount, namespaces, bpf, keyctl, io_uring,
 *     perf_event_open, ...) fail with EPERM;
 *   - clone with any namespace flag fails with EPERM; clone3 fails with ENOSYS, since its flags
 *     live in memory BPF cannot read, and libc then falls back to clone;
 *   - socket() of any family but AF_UNIX, AF_INET, AF_INET6 and AF_NETLINK fails with
 *     EAFNOSUPPORT: AF_VSOCK, for one, is not isolated by the network namespace and would
 *     reach the hypervisor of a virtual machine;
 *   - TIOCSTI/TIOCLINUX ioctls (typing into a terminal) fail with EPERM;
 *   - modify_ldt (a long history of kernel bugs, needed only by 16-bit and Wine code) fails with
 *     EPERM; personality() may only query (0xffffffff) or set PER_LINUX (0): the other
 *     personalities change how the kernel treats the process (READ_IMPLIES_EXEC,
 *     ADDR_NO_RANDOMIZE, legacy layouts...);
 *   - everything else is allowed.
 */

// struct seccomp_data offsets
const OFF_NR = 0;
const OFF_ARCH = 4;
const OFF_ARG0_LO = 16;
const OFF_ARG1_LO = 24;

// BPF opcodes
const LD_W_ABS = 0x20;
const JEQ_K = 0x15;
const JGE_K = 0x35;
const JSET_K = 0x45;
const RET_K = 0x06;

export const AUDIT_ARCH_X86_64 = 0xc000003e;
const X32_SYSCALL_BIT = 0x40000000;

export const SECCOMP_RET_KILL_PROCESS = 0x80000000;
export const SECCOMP_RET_ERRNO = 0x00050000;
export const SECCOMP_RET_ALLOW = 0x7fff0000;
const EPERM = 1;
const ENOSYS = 38;
const EAFNOSUPPORT = 97;

/** x86_64 numbers of the calls refused with EPERM. */
export const DENIED_SYSCALLS: Readonly<Record<string, number>> = {
  ptrace: 101,
  syslog: 103,
  vhangup: 153,
  pivot_root: 155,
  acct: 163,
  mount: 165,
  umount2: 166,
  swapon: 167,
  swapoff: 168,
  reboot: 169,
  sethostname: 170,
  setdomainname: 171,
  modify_ldt: 154,
  iopl: 172,
  ioperm: 173,
  init_module: 175,
  delete_module: 176,
  quotactl: 179,
  lookup_dcookie: 212,
  kexec_load: 246,
  add_key: 248,
  request_key: 249,
  keyctl: 250,
  unshare: 272,
  perf_event_open: 298,
  name_to_handle_at: 303,
  open_by_handle_at: 304,
  setns: 308,
  process_vm_readv: 310,
  process_vm_writev: 311,
  finit_module: 313,
  kexec_file_load: 320,
  bpf: 321,
  userfaultfd: 323,
  io_uring_setup: 425,
  io_uring_enter: 426,
  io_uring_register: 427,
  open_tree: 428,
  move_mount: 429,
  fsopen: 430,
  fsconfig: 431,
  fsmount: 432,
  fspick: 433,
  pidfd_getfd: 438,
  mount_setattr: 442,
};

export const SYS_CLONE = 56;
export const SYS_CLONE3 = 435;
export const SYS_IOCTL = 16;
export const SYS_SOCKET = 41;
export const SYS_PERSONALITY = 135;
/** personality(0xffffffff) only reads the current persona; PER_LINUX (0) is the default one. */
export const ALLOWED_PERSONALITIES = [0, 0xffffffff] as const;
/** AF_UNIX, AF_INET, AF_INET6, AF_NETLINK (interface lists: glibc, Go and Node read them over netlink). */
export const ALLOWED_SOCKET_FAMILIES = [1, 2, 10, 16] as const;
/** CLONE_NEWNS | NEWCGROUP | NEWUTS | NEWIPC | NEWUSER | NEWPID | NEWNET | NEWTIME */
export const CLONE_NS_FLAGS = 0x00020000 | 0x02000000 | 0x04000000 | 0x08000000 | 0x10000000 | 0x20000000 | 0x40000000 | 0x00000080;
const TIOCSTI = 0x5412;
const TIOCLINUX = 0x541c;

interface Insn {
  code: number;
  jt: number;
  jf: number;
  k: number;
}

const stmt = (code: number, k: number): Insn => ({ code, jt: 0, jf: 0, k });
const jump = (code: number, k: number, jt: number, jf: number): Insn => ({ code, jt, jf, k });

export function buildSeccompProgram(): Insn[] {
  const errno = (e: number) => stmt(RET_K, SECCOMP_RET_ERRNO | e);
  const p: Insn[] = [];
  p.push(stmt(LD_W_ABS, OFF_ARCH));
  p.push(jump(JEQ_K, AUDIT_ARCH_X86_64, 1, 0));
  p.push(stmt(RET_K, SECCOMP_RET_KILL_PROCESS));
  p.push(stmt(LD_W_ABS, OFF_NR));
  p.push(jump(JGE_K, X32_SYSCALL_BIT, 0, 1));
  p.push(stmt(RET_K, SECCOMP_RET_KILL_PROCESS));
  for (const nr of Object.values(DENIED_SYSCALLS)) {
    p.push(jump(JEQ_K, nr, 0, 1));
    p.push(errno(EPERM));
  }
  p.push(jump(JEQ_K, SYS_CLONE3, 0, 1));
  p.push(errno(ENOSYS));
  // clone: refuse namespace flags (flags are the low word of arg0)
  p.push(jump(JEQ_K, SYS_CLONE, 0, 4));
  p.push(stmt(LD_W_ABS, OFF_ARG0_LO));
  p.push(jump(JSET_K, CLONE_NS_FLAGS, 0, 1));
  p.push(errno(EPERM));
  p.push(stmt(RET_K, SECCOMP_RET_ALLOW));
  // socket: only the families a program needs; the domain is arg0
  const fams = ALLOWED_SOCKET_FAMILIES.length;
  p.push(jump(JEQ_K, SYS_SOCKET, 0, fams + 3));
  p.push(stmt(LD_W_ABS, OFF_ARG0_LO));
  ALLOWED_SOCKET_FAMILIES.forEach((af, i) => p.push(jump(JEQ_K, af, fams - i, 0)));
  p.push(errno(EAFNOSUPPORT));
  p.push(stmt(RET_K, SECCOMP_RET_ALLOW));
  // personality: query or PER_LINUX only (the kernel reads the argument as an unsigned int)
  p.push(jump(JEQ_K, SYS_PERSONALITY, 0, 5));
  p.push(stmt(LD_W_ABS, OFF_ARG0_LO));
  p.push(jump(JEQ_K, ALLOWED_PERSONALITIES[0], 2, 0));
  p.push(jump(JEQ_K, ALLOWED_PERSONALITIES[1], 1, 0));
  p.push(errno(EPERM));
  p.push(stmt(RET_K, SECCOMP_RET_ALLOW));
  // ioctl: refuse terminal injection
  p.push(jump(JEQ_K, SYS_IOCTL, 0, 5));
  p.push(stmt(LD_W_ABS, OFF_ARG1_LO));
  p.push(jump(JEQ_K, TIOCSTI, 1, 0));
  p.push(jump(JEQ_K, TIOCLINUX, 0, 1));
  p.push(errno(EPERM));
  p.push(stmt(RET_K, SECCOMP_RET_ALLOW));
  p.push(stmt(RET_K, SECCOMP_RET_ALLOW));
  return p;
}

/** Serialises to `struct sock_filter[]` (little-endian, 8 bytes each), what bwrap reads. */
export function encodeProgram(program: Insn[]): Buffer {
  if (program.length > 4096) throw new Error('seccomp program too long');
  const buf = Buffer.alloc(program.length * 8);
  program.forEach((insn, i) => {
    buf.writeUInt16LE(insn.code, i * 8);
    buf.writeUInt8(insn.jt, i * 8 + 2);
    buf.writeUInt8(insn.jf, i * 8 + 3);
    buf.writeUInt32LE(insn.k >>> 0, i * 8 + 4);
  });
  return buf;
}

let cached: Buffer | undefined;
export function seccompFilter(): Buffer {
  cached ??= encodeProgram(buildSeccompProgram());
  return cached;
}

/**
 * A tiny interpreter of the program, for table tests of the policy without a kernel. It
 * implements exactly the opcodes the generator emits.
 */
export function evaluate(program: Insn[], data: { arch: number; nr: number; args?: number[] }): number {
  let acc = 0;
  let pc = 0;
  const load = (off: number): number => {
    if (off === OFF_NR) return data.nr >>> 0;
    if (off === OFF_ARCH) return data.arch >>> 0;
    const idx = (off - 16) / 8;
    return (data.args?.[idx] ?? 0) >>> 0;
  };
  while (pc < program.length) {
    const insn = program[pc]!;
    switch (insn.code) {
      case LD_W_ABS:
        acc = load(insn.k);
        pc++;
        break;
      case JEQ_K:
        pc += 1 + (acc === insn.k >>> 0 ? insn.jt : insn.jf);
        break;
      case JGE_K:
        pc += 1 + (acc >= insn.k >>> 0 ? insn.jt : insn.jf);
        break;
      case JSET_K:
        pc += 1 + ((acc & insn.k) !== 0 ? insn.jt : insn.jf);
        break;
      case RET_K:
        return insn.k >>> 0;
      default:
        throw new Error(`unknown opcode ${insn.code}`);
    }
  }
  throw new Error('fell off the end of the program');
}
