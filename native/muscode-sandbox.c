// muscode-sandbox: the two tiny native steps of a sandboxed run that Node cannot do itself.
//
//   launch  (host side, started by the engine as root)
//     Joins the run's cgroups by writing its own pid, sets the rlimits, gives the run a private
//     /tmp (a fresh tmpfs with a size and an inode limit, mounted in a mount namespace of the
//     launcher's own, so it vanishes with the run and the host never sees it), opens its own
//     executable as the sandbox's init (exec'd by bubblewrap through /proc/self/fd, so the init
//     has no path anywhere in the sandbox), drops to the slot's unprivileged uid/gid with no
//     supplementary groups, sets no_new_privs and a parent-death signal, then execs bubblewrap.
//     Because the pid is written *before* exec, every process the user's program ever creates is
//     born inside the cgroups: a fork at the first instruction cannot escape the limits. Any
//     failure reports "launch-error ..." on the status fd and exits 125 without running anything
//     (fail closed).
//     Started ahead (`--control-fd N`): the engine starts the launcher for a slot's *next* stage
//     ahead of time, with only its cgroups on the command line. It joins them at once (a cgroup
//     v1 move waits for an RCU grace period, 5-23 ms on a default kernel: off the run path now),
//     then reads two messages from fd N (a count, then that many NUL-terminated entries): the
//     sandbox's options (the above, "--", bubblewrap and its argv, whose init has no program but
//     `--control-fd`), on which it sets the sandbox up; then the stage (`--stdin-file PATH`, "--",
//     the environment and argv), which it hands to the init over a socketpair, the stdin file's
//     descriptor attached (SCM_RIGHTS). End-of-file instead of a message means "not needed":
//     nothing of a stage runs (the init exits when its socket closes).
//
//   init    (sandbox side, the command bubblewrap starts with --as-pid-1)
//     The pid namespace's pid 1: a signal sent from inside the namespace reaches it only if it
//     has a handler, and it has none, so the program cannot kill it (SIGKILL included). It says
//     "init-ready" on the status fd (the host's evidence that bubblewrap's set-up succeeded),
//     forks the user's program, reaps every orphan, and reports the program's exact wait status
//     ("exit N" / "signal N"). bubblewrap itself folds a signal into exit code 128+N, which would
//     make `exit(137)` and SIGKILL indistinguishable. The status fd is close-on-exec in the
//     program and this process is non-dumpable, so the program can neither inherit nor reopen it
//     (/proc/PID/fd of a non-dumpable process is not accessible to the same uid). Its command
//     line is blanked to "init": /proc/1/cmdline shows nothing of how it was started.
//
// Nothing here parses user input: every argument comes from the engine.
#define _GNU_SOURCE
#include <errno.h>
#include <fcntl.h>
#include <grp.h>
#include <signal.h>
#include <stdarg.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sched.h>
#include <sys/ioctl.h>
#include <sys/mount.h>
#include <sys/prctl.h>
#include <dirent.h>
#include <sys/resource.h>
#include <sys/socket.h>
#include <sys/stat.h>
#include <sys/sysmacros.h>
#include <sys/uio.h>
#include <sys/syscall.h>
#include <sys/types.h>
#include <sys/wait.h>
#include <unistd.h>

static int status_fd = -1;

static void report(const char *fmt, ...) {
  if (status_fd < 0) return;
  char buf[512];
  va_list ap;
  va_start(ap, fmt);
  int n = vsnprintf(buf, sizeof buf - 1, fmt, ap);
  va_end(ap);
  if (n < 0) return;
  if (n > (int)sizeof buf - 2) n = sizeof buf - 2;
  buf[n++] = '\n';
  ssize_t ignored = write(status_fd, buf, (size_t)n);
  (void)ignored;
}

static void fail(const char *what) {
  report("launch-error %s: %s", what, strerror(errno));
  _exit(125);
}

#define MAX_KEEP_FDS 8
#define CLOSE_RANGE_CLOEXEC_FLAG (1U << 2)

// Marks every fd >= 3 close-on-exec except `keep`: a descriptor the engine process inherited
// from its own parent (a shell, a service manager's sockets, a test runner's pipe) must never
// reach the sandbox, where the program could write to it or reopen it via /proc/PID/fd.
static int cloexec_all_but(const int *keep, int nkeep) {
  int lo = 3;
  for (;;) {
    int next = -1;  // the smallest kept fd >= lo
    for (int k = 0; k < nkeep; k++)
      if (keep[k] >= lo && (next < 0 || keep[k] < next)) next = keep[k];
    unsigned int hi = next < 0 ? ~0U : (unsigned int)next - 1;
    if ((next < 0 || next > lo) && syscall(SYS_close_range, (unsigned int)lo, hi, CLOSE_RANGE_CLOEXEC_FLAG) != 0) {
      // Kernels before 5.11: walk /proc/self/fd instead.
      DIR *d = opendir("/proc/self/fd");
      if (!d) return -1;
      struct dirent *e;
      while ((e = readdir(d))) {
        int fd = atoi(e->d_name);
        int kept = fd < 3 || fd == dirfd(d);
        for (int k = 0; k < nkeep; k++) kept |= fd == keep[k];
        if (!kept && e->d_name[0] != '.' && fcntl(fd, F_SETFD, FD_CLOEXEC) != 0) { closedir(d); return -1; }
      }
      closedir(d);
      return 0;
    }
    if (next < 0) return 0;
    lo = next + 1;
  }
}

static int parse_int(const char *s, long long *out) {
  char *end;
  errno = 0;
  long long v = strtoll(s, &end, 10);
  if (errno || end == s || *end) return -1;
  *out = v;
  return 0;
}

static int rlimit_by_name(const char *name) {
  if (!strcmp(name, "cpu")) return RLIMIT_CPU;
  if (!strcmp(name, "fsize")) return RLIMIT_FSIZE;
  if (!strcmp(name, "nofile")) return RLIMIT_NOFILE;
  if (!strcmp(name, "core")) return RLIMIT_CORE;
  if (!strcmp(name, "stack")) return RLIMIT_STACK;
  if (!strcmp(name, "nproc")) return RLIMIT_NPROC;
  return -1;
}

// --rlimit name=soft:hard ("inf" for unlimited)
static void apply_rlimit(const char *spec) {
  char buf[128];
  if (strlen(spec) >= sizeof buf) { errno = EINVAL; fail("rlimit spec"); }
  strcpy(buf, spec);
  char *eq = strchr(buf, '=');
  char *colon = eq ? strchr(eq, ':') : NULL;
  if (!eq || !colon) { errno = EINVAL; fail("rlimit spec"); }
  *eq = 0;
  *colon = 0;
  int res = rlimit_by_name(buf);
  if (res < 0) { errno = EINVAL; fail("rlimit name"); }
  struct rlimit rl;
  long long v;
  if (!strcmp(eq + 1, "inf")) rl.rlim_cur = RLIM_INFINITY;
  else if (parse_int(eq + 1, &v) == 0 && v >= 0) rl.rlim_cur = (rlim_t)v;
  else { errno = EINVAL; fail("rlimit soft"); }
  if (!strcmp(colon + 1, "inf")) rl.rlim_max = RLIM_INFINITY;
  else if (parse_int(colon + 1, &v) == 0 && v >= 0) rl.rlim_max = (rlim_t)v;
  else { errno = EINVAL; fail("rlimit hard"); }
  if (setrlimit(res, &rl) != 0) fail("setrlimit");
}

static void join_cgroup(const char *procs_file) {
  int fd = open(procs_file, O_WRONLY | O_CLOEXEC | O_NOFOLLOW);
  if (fd < 0) fail("open cgroup.procs");
  char pid[32];
  int n = snprintf(pid, sizeof pid, "%d", (int)getpid());
  if (write(fd, pid, (size_t)n) != n) fail("join cgroup");
  close(fd);
}

// A fresh tmpfs on `path`, visible only to this process and its descendants: a private mount
// namespace (propagation made private first, so that nothing reaches the host's mount table).
// When the last process of the run exits, the namespace and the tmpfs go with it.
static void private_tmp(const char *path, long long bytes, long long inodes, long long uid, long long gid) {
  if (unshare(CLONE_NEWNS) != 0) fail("unshare mount namespace");
  if (mount(NULL, "/", NULL, MS_REC | MS_PRIVATE, NULL) != 0) fail("make mounts private");
  char opts[160];
  snprintf(opts, sizeof opts, "size=%lld,nr_inodes=%lld,mode=0700,uid=%lld,gid=%lld", bytes, inodes, uid, gid);
  if (mount("muscode-tmp", path, "tmpfs", MS_NOSUID | MS_NODEV, opts) != 0) fail("mount /tmp");
}

#define CONTROL_MAX (4 << 20)

// Messages on a control fd: a decimal count, then that many entries, each NUL-terminated
// (entries may be empty: a program argument can be ""). Buffered, so that two messages sent
// back to back are both read whole.
struct reader { int fd; char *buf; size_t len, pos, cap; };

// The next NUL-terminated entry (a copy), or NULL at end-of-file.
static char *next_entry(struct reader *r) {
  for (;;) {
    char *nul = r->len > r->pos ? memchr(r->buf + r->pos, 0, r->len - r->pos) : NULL;
    if (nul) {
      char *e = strdup(r->buf + r->pos);
      if (!e) fail("control entry");
      r->pos = (size_t)(nul - r->buf) + 1;
      return e;
    }
    if (r->pos > 0) {
      memmove(r->buf, r->buf + r->pos, r->len - r->pos);
      r->len -= r->pos;
      r->pos = 0;
    }
    if (r->len == r->cap) {
      if (r->cap >= CONTROL_MAX) { errno = E2BIG; fail("control message too large"); }
      r->cap = r->cap ? r->cap * 2 : 4096;
      char *nb = realloc(r->buf, r->cap);
      if (!nb) fail("control buffer");
      r->buf = nb;
    }
    ssize_t n = read(r->fd, r->buf + r->len, r->cap - r->len);
    if (n < 0) {
      if (errno == EINTR) continue;
      fail("read control");
    }
    if (n == 0) {
      if (r->len > r->pos) { errno = EINVAL; fail("control message cut short"); }
      return NULL;
    }
    r->len += (size_t)n;
  }
}

// One message: returns its entry count and sets *out (NULL-terminated), or -1 at end-of-file.
static int read_message(struct reader *r, char ***out) {
  char *count = next_entry(r);
  if (!count) return -1;
  long long n;
  if (parse_int(count, &n) || n < 0 || n > 65536) { errno = EINVAL; fail("control count"); }
  free(count);
  char **args = calloc((size_t)n + 1, sizeof *args);
  if (!args) fail("control argv");
  for (long long k = 0; k < n; k++)
    if (!(args[k] = next_entry(r))) { errno = EINVAL; fail("control message cut short"); }
  *out = args;
  return (int)n;
}

// Sends the stage (environment and argv, framed as above) to the init waiting in the sandbox,
// with the stdin file's descriptor attached when there is one, then closes the socket.
static void send_stage(int sock, char **stage, int n, int stdin_fd) {
  size_t len = 0;
  char head[24];
  int hl = snprintf(head, sizeof head, "%d", n) + 1;
  len += (size_t)hl;
  for (int k = 0; k < n; k++) len += strlen(stage[k]) + 1;
  char *msg = malloc(len);
  if (!msg) fail("stage message");
  size_t at = 0;
  memcpy(msg, head, (size_t)hl);
  at += (size_t)hl;
  for (int k = 0; k < n; k++) {
    size_t l = strlen(stage[k]) + 1;
    memcpy(msg + at, stage[k], l);
    at += l;
  }
  struct iovec iov = { .iov_base = msg, .iov_len = len };
  union { struct cmsghdr h; char space[CMSG_SPACE(sizeof(int))]; } cm;
  struct msghdr mh = { .msg_iov = &iov, .msg_iovlen = 1 };
  if (stdin_fd >= 0) {
    memset(&cm, 0, sizeof cm);
    mh.msg_control = cm.space;
    mh.msg_controllen = sizeof cm.space;
    struct cmsghdr *c = CMSG_FIRSTHDR(&mh);
    c->cmsg_level = SOL_SOCKET;
    c->cmsg_type = SCM_RIGHTS;
    c->cmsg_len = CMSG_LEN(sizeof(int));
    memcpy(CMSG_DATA(c), &stdin_fd, sizeof(int));
  }
  // A sandbox whose set-up failed has no init to read: the stage then ends with "no
  // init-ready", reported as a set-up failure; nothing to do here but not die of SIGPIPE.
  while (iov.iov_len > 0) {
    ssize_t w = sendmsg(sock, &mh, MSG_NOSIGNAL);
    if (w < 0) {
      if (errno == EINTR) continue;
      break;
    }
    iov.iov_base = (char *)iov.iov_base + w;
    iov.iov_len -= (size_t)w;
    mh.msg_control = NULL;  // the descriptor goes with the first part only
    mh.msg_controllen = 0;
  }
  free(msg);
  close(sock);
}

static int do_launch(int argc, char **argv) {
  long long uid = -1, gid = -1, v;
  long long tmp_bytes = -1, tmp_inodes = -1, init_fd = -1, control_fd = -1, init_control = -1;
  int stage_sock = -1;
  const char *tmp_path = NULL;
  int keep[MAX_KEEP_FDS];
  int nkeep = 0;
  pid_t original_parent = getppid();
  int i = 0;
  // First pass: the status fd, so that later failures can be reported.
  for (int j = 0; j < argc - 1; j++) {
    if (!strcmp(argv[j], "--")) break;
    if (!strcmp(argv[j], "--status-fd") && parse_int(argv[j + 1], &v) == 0) status_fd = (int)v;
  }
  struct reader control = { .fd = -1 };
  for (;; i++) {
    if (i >= argc && control_fd >= 0) {
      // Started ahead: the cgroups are joined; wait for the sandbox's options (never as an orphan).
      if (prctl(PR_SET_PDEATHSIG, SIGKILL, 0, 0, 0) != 0) fail("pdeathsig");
      if (getppid() != original_parent) { errno = ESRCH; fail("engine gone"); }
      // Out of the way of the fds the sandbox gets (the init's fd is 5, like the engine's control fd).
      control.fd = fcntl((int)control_fd, F_DUPFD_CLOEXEC, 64);
      if (control.fd < 0) fail("move control fd");
      close((int)control_fd);
      control_fd = -1;
      argc = read_message(&control, &argv);
      if (argc < 0) _exit(0);  // not needed after all
      i = 0;
    }
    if (i >= argc) break;
    const char *a = argv[i];
    if (!strcmp(a, "--")) { i++; break; }
    if (i + 1 >= argc) { errno = EINVAL; fail("missing option value"); }
    const char *val = argv[++i];
    if (!strcmp(a, "--status-fd")) continue;
    else if (!strcmp(a, "--control-fd")) { if (parse_int(val, &control_fd) || control_fd < 3 || control_fd > 1023) { errno = EINVAL; fail("control-fd"); } }
    else if (!strcmp(a, "--init-control-fd")) {
      // The init gets its stage over a socket (send_stage) instead of its argv, so that the
      // sandbox can be set up before the stage is known.
      if (parse_int(val, &init_control) || init_control < 3 || init_control > 1023 || nkeep >= MAX_KEEP_FDS - 2) { errno = EINVAL; fail("init-control-fd"); }
      int sv[2];
      if (socketpair(AF_UNIX, SOCK_STREAM | SOCK_CLOEXEC, 0, sv) != 0) fail("socketpair");
      // Both ends above 63 first, so that neither is the target of the dup2 below.
      stage_sock = fcntl(sv[0], F_DUPFD_CLOEXEC, 64);
      int theirs = fcntl(sv[1], F_DUPFD_CLOEXEC, 64);
      if (stage_sock < 0 || theirs < 0) fail("move socket");
      close(sv[0]);
      close(sv[1]);
      if (dup2(theirs, (int)init_control) < 0) fail("dup init control");  // not close-on-exec
      close(theirs);
      keep[nkeep++] = (int)init_control;
    }
    else if (!strcmp(a, "--uid")) { if (parse_int(val, &uid)) { errno = EINVAL; fail("uid"); } }
    else if (!strcmp(a, "--gid")) { if (parse_int(val, &gid)) { errno = EINVAL; fail("gid"); } }
    else if (!strcmp(a, "--cgroup")) join_cgroup(val);
    else if (!strcmp(a, "--rlimit")) apply_rlimit(val);
    else if (!strcmp(a, "--tmp-mount")) tmp_path = val;
    else if (!strcmp(a, "--tmp-bytes")) { if (parse_int(val, &tmp_bytes) || tmp_bytes < 4096) { errno = EINVAL; fail("tmp-bytes"); } }
    else if (!strcmp(a, "--tmp-inodes")) { if (parse_int(val, &tmp_inodes) || tmp_inodes < 16) { errno = EINVAL; fail("tmp-inodes"); } }
    else if (!strcmp(a, "--init-fd")) { if (parse_int(val, &init_fd) || init_fd < 3 || init_fd > 1023) { errno = EINVAL; fail("init-fd"); } }
    else if (!strcmp(a, "--keep-fd")) {
      if (parse_int(val, &v) || v < 3 || v > 1023 || nkeep >= MAX_KEEP_FDS - 2) { errno = EINVAL; fail("keep-fd"); }
      keep[nkeep++] = (int)v;
    }
    else { errno = EINVAL; fail("unknown option"); }
  }
  if (i >= argc) { errno = EINVAL; fail("no command"); }
  if (uid <= 0 || gid <= 0) { errno = EINVAL; fail("uid/gid must be set and not root"); }
  if (tmp_path) {
    if (tmp_bytes < 0 || tmp_inodes < 0) { errno = EINVAL; fail("tmp-mount needs tmp-bytes and tmp-inodes"); }
    private_tmp(tmp_path, tmp_bytes, tmp_inodes, uid, gid);
  }
  if (init_fd >= 0) {
    // This very binary is the init. Opened here, as root, so the sandbox needs no path to it
    // (bubblewrap execs /proc/self/fd/N); only the file's own mode (o+x) matters to the slot uid.
    int fd = open("/proc/self/exe", O_RDONLY | O_CLOEXEC);
    if (fd < 0) fail("open own executable");
    if (fd == (int)init_fd) {
      if (fcntl(fd, F_SETFD, 0) != 0) fail("init fd flags");
    } else {
      if (dup2(fd, (int)init_fd) < 0) fail("dup init fd");  // the copy is not close-on-exec
      close(fd);
    }
    keep[nkeep++] = (int)init_fd;
  }
  // Only the status fd, the init fd and the --keep-fd ones (bwrap's seccomp fd) go on to bubblewrap.
  if (status_fd >= 0) keep[nkeep++] = status_fd;
  if (cloexec_all_but(keep, nkeep) != 0) fail("close inherited fds");
  if (setgroups(0, NULL) != 0) fail("setgroups");
  if (setresgid((gid_t)gid, (gid_t)gid, (gid_t)gid) != 0) fail("setresgid");
  if (setresuid((uid_t)uid, (uid_t)uid, (uid_t)uid) != 0) fail("setresuid");
  if (getuid() != (uid_t)uid || geteuid() != (uid_t)uid || getegid() != (gid_t)gid) {
    errno = EPERM;
    fail("uid switch did not take");
  }
  if (setuid(0) == 0) { errno = EPERM; fail("could regain root"); }
  if (prctl(PR_SET_NO_NEW_PRIVS, 1, 0, 0, 0) != 0) fail("no_new_privs");
  // Cleared by the credential change above, so set it afterwards; then make sure the engine did
  // not die in between (we would be orphaned and never killed).
  if (prctl(PR_SET_PDEATHSIG, SIGKILL, 0, 0, 0) != 0) fail("pdeathsig");
  if (getppid() != original_parent) { errno = ESRCH; fail("engine gone"); }
  // Stay as a child subreaper around bubblewrap: bwrap's monitor can exit before its
  // namespace init is reaped, and an orphan reparented to a host init that does not reap (a
  // container's pid 1) would stay a zombie forever. Here it is reparented to us and reaped.
  if (prctl(PR_SET_CHILD_SUBREAPER, 1, 0, 0, 0) != 0) fail("subreaper");
  pid_t child = fork();
  if (child < 0) fail("fork");
  if (child == 0) {
    if (prctl(PR_SET_PDEATHSIG, SIGKILL, 0, 0, 0) != 0) fail("pdeathsig");
    if (getppid() == 1) _exit(125);
    execv(argv[i], &argv[i]);
    fail("exec sandbox");
  }
  if (init_control >= 0) {
    close((int)init_control);
    // The stage: "--stdin-file PATH" or not, then "--", then what the init gets (environment
    // and argv, already framed by the engine as count + entries each). End-of-file instead: the
    // sandbox is not needed; closing the socket makes the init exit without running anything.
    char **stage = NULL;
    int n = control.fd >= 0 ? read_message(&control, &stage) : -1;
    int in_fd = -1, k = 0;
    if (n >= 0) {
      for (; k < n; k++) {
        if (!strcmp(stage[k], "--")) { k++; break; }
        if (!strcmp(stage[k], "--stdin-file") && k + 1 < n) {
          // As the slot uid: the file is 0444 in a directory it may traverse; the engine
          // removes it after the stage (it is in no mount namespace of a sandbox).
          in_fd = open(stage[++k], O_RDONLY | O_NOFOLLOW | O_CLOEXEC);
          if (in_fd < 0) { report("launch-error open stdin file: %s", strerror(errno)); n = -1; break; }
        } else { report("launch-error unknown stage option"); n = -1; break; }
      }
    }
    if (n >= 0) send_stage(stage_sock, stage + k, n - k, in_fd);
    else close(stage_sock);
    if (in_fd >= 0) close(in_fd);
    if (control.fd >= 0) close(control.fd);
  }
  // The pipes belong to the sandbox; holding them would delay end-of-file for the engine.
  int devnull = open("/dev/null", O_RDWR);
  if (devnull >= 0) {
    dup2(devnull, 0);
    dup2(devnull, 1);
    dup2(devnull, 2);
    if (devnull > 2) close(devnull);
  }
  int code = 125;
  for (;;) {
    int status;
    pid_t r = wait(&status);
    if (r < 0) {
      if (errno == EINTR) continue;
      break;  // ECHILD: nothing left to reap
    }
    if (r == child) {
      code = WIFEXITED(status) ? WEXITSTATUS(status) : 128 + WTERMSIG(status);
      // Tells the engine the sandbox has ended, so it can kill stragglers in the cgroup.
      report("sandbox-exit %d", code);
    }
  }
  return code;
}

// Copies the program's argv out of the argument area, then blanks that area and leaves "init"
// in it: /proc/1/cmdline is readable by the program and must not show how the init was started.
static char **take_argv(int argc, char **argv, int from) {
  char **prog = calloc((size_t)(argc - from + 1), sizeof *prog);
  if (!prog) return NULL;
  for (int k = from; k < argc; k++)
    if (!(prog[k - from] = strdup(argv[k]))) return NULL;
  char *start = argv[-2];  // argv here starts after "<path> init"
  char *end = argv[argc - 1] + strlen(argv[argc - 1]);
  memset(start, 0, (size_t)(end - start));
  memcpy(start, "init", 5 <= end - start ? 5 : 0);
  prctl(PR_SET_NAME, "init", 0, 0, 0);
  return prog;
}

// The stage from the launcher (send_stage): all bytes to end-of-file, and the stdin descriptor
// if one came with them. Returns the number of bytes (0: nothing came, the sandbox is not needed).
static size_t receive_stage(int sock, char **out, int *stdin_fd) {
  size_t cap = 4096, len = 0;
  char *buf = malloc(cap);
  if (!buf) return 0;
  for (;;) {
    if (len == cap) {
      if (cap >= CONTROL_MAX) { free(buf); return 0; }
      cap *= 2;
      char *nb = realloc(buf, cap);
      if (!nb) { free(buf); return 0; }
      buf = nb;
    }
    struct iovec iov = { .iov_base = buf + len, .iov_len = cap - len };
    union { struct cmsghdr h; char space[CMSG_SPACE(sizeof(int))]; } cm;
    struct msghdr mh = { .msg_iov = &iov, .msg_iovlen = 1, .msg_control = cm.space, .msg_controllen = sizeof cm.space };
    ssize_t r = recvmsg(sock, &mh, MSG_CMSG_CLOEXEC);
    if (r < 0) {
      if (errno == EINTR) continue;
      free(buf);
      return 0;
    }
    for (struct cmsghdr *c = CMSG_FIRSTHDR(&mh); c; c = CMSG_NXTHDR(&mh, c)) {
      if (c->cmsg_level == SOL_SOCKET && c->cmsg_type == SCM_RIGHTS && c->cmsg_len >= CMSG_LEN(sizeof(int))) {
        int fd;
        memcpy(&fd, CMSG_DATA(c), sizeof fd);
        if (*stdin_fd >= 0) close(*stdin_fd);
        *stdin_fd = fd;
      }
    }
    if (r == 0) break;
    len += (size_t)r;
  }
  close(sock);
  *out = buf;
  return len;
}

// Splits a received stage, "count\0" then count entries: the first entry is the number of
// environment entries (NAME=value), which come next; the rest is the program's argv.
static char **parse_stage(char *buf, size_t len, char ***env) {
  if (len == 0 || buf[len - 1] != 0) return NULL;
  size_t at = 0;
  char *entries[2] = { NULL, NULL };
  long long total, nenv;
  for (int k = 0; k < 2; k++) {
    entries[k] = buf + at;
    at += strlen(buf + at) + 1;
    if (at > len) return NULL;
  }
  if (parse_int(entries[0], &total) || parse_int(entries[1], &nenv) || nenv < 0 || total < nenv + 2) return NULL;
  char **all = calloc((size_t)total + 2, sizeof *all);
  if (!all) return NULL;
  long long k = 0;
  for (; k < total - 1 && at < len; k++) {
    all[k] = buf + at;
    at += strlen(buf + at) + 1;
  }
  if (k != total - 1 || at != len) return NULL;
  // all = env[0..nenv), NULL, argv...
  char **argvp = calloc((size_t)(total - nenv) + 1, sizeof *argvp);
  if (!argvp) return NULL;
  for (long long j = nenv; j < total - 1; j++) argvp[j - nenv] = all[j];
  all[nenv] = NULL;
  *env = all;
  return argvp;
}

static int do_init(int argc, char **argv) {
  long long v, control = -1;
  int i = 0;
  int tty = 0;
  // First of all: nothing of this process may be read through /proc by the program.
  prctl(PR_SET_DUMPABLE, 0, 0, 0, 0);
  for (; i < argc; i++) {
    if (!strcmp(argv[i], "--")) { i++; break; }
    if (!strcmp(argv[i], "--status-fd") && i + 1 < argc && parse_int(argv[i + 1], &v) == 0) {
      status_fd = (int)v;
      i++;
    } else if (!strcmp(argv[i], "--control-fd") && i + 1 < argc && parse_int(argv[i + 1], &v) == 0 && v > 2) {
      control = v;
      i++;
    }
    // --tty: stdin is a pseudo-terminal's slave side, opened by the engine outside the sandbox
    // (interactive runs with a terminal): the program becomes its session leader (below).
    if (!strcmp(argv[i], "--tty")) tty = 1;
  }
  if (status_fd < 0 || control == status_fd || (i >= argc && control < 0)) return 125;
  if (fcntl(status_fd, F_SETFD, FD_CLOEXEC) != 0) return 125;
  if (control >= 0 && fcntl((int)control, F_SETFD, FD_CLOEXEC) != 0) return 125;
  // Whatever else bubblewrap passed on (the fd this binary was exec'd from, the seccomp fd) is
  // closed here: the init holds nothing but the status fd (and, until it has read its stage,
  // the control socket).
  int lo_keep = control >= 0 && control < status_fd ? (int)control : status_fd;
  int hi_keep = control > status_fd ? (int)control : status_fd;
  if (lo_keep > 3) syscall(SYS_close_range, 3U, (unsigned int)lo_keep - 1, 0U);
  if (hi_keep > lo_keep + 1) syscall(SYS_close_range, (unsigned int)lo_keep + 1, (unsigned int)hi_keep - 1, 0U);
  syscall(SYS_close_range, (unsigned int)hi_keep + 1, ~0U, 0U);
  char **prog = take_argv(argc, argv, i);
  if (!prog) {
    report("init-error out of memory");
    return 125;
  }
  // The host's evidence that bubblewrap set the sandbox up and started us: without this line, a
  // run that ends is a set-up failure; with it, whatever happens is the program's outcome.
  report("init-ready");
  if (control >= 0) {
    // Set up ahead of its stage: wait for it. End-of-file with nothing: not needed, and nothing ran.
    char *buf = NULL, **env = NULL;
    int in_fd = -1;
    size_t len = receive_stage((int)control, &buf, &in_fd);
    if (len == 0) return 0;
    if (!(prog = parse_stage(buf, len, &env))) {
      report("init-error bad stage message");
      return 125;
    }
    if (clearenv() != 0) {
      report("init-error clearenv");
      return 125;
    }
    for (char **e = env; *e; e++) {
      if (!strchr(*e, '=') || putenv(*e) != 0) {
        report("init-error bad environment entry");
        return 125;
      }
    }
    if (in_fd >= 0) {
      if (dup2(in_fd, 0) < 0) {
        report("init-error stdin: %s", strerror(errno));
        return 125;
      }
      close(in_fd);
    }
  }
  pid_t child = fork();
  if (child < 0) {
    report("init-error fork: %s", strerror(errno));
    return 125;
  }
  if (child == 0) {
    // The program gets stdin, stdout and stderr only, whatever bubblewrap left open.
    int none[1] = {-1};
    if (cloexec_all_but(none, 0) != 0) {
      report("init-error close fds: %s", strerror(errno));
      _exit(127);
    }
    if (tty) {
      // A session of its own with the terminal as its controlling tty, so that line editing,
      // Ctrl-C (SIGINT to the foreground group) and job control work as in a terminal. Only
      // this session's pty is reachable: its other side is the engine's, outside the sandbox.
      // The engine's pty library opens the slave non-blocking; a program expects a blocking tty.
      int fl = fcntl(0, F_GETFL);
      if (setsid() < 0 || ioctl(0, TIOCSCTTY, 0) != 0 || fl < 0 || fcntl(0, F_SETFL, fl & ~O_NONBLOCK) != 0) {
        report("exec-error tty: %s", strerror(errno));
        _exit(127);
      }
    }
    execv(prog[0], prog);
    report("exec-error %s", strerror(errno));
    _exit(127);
  }
  // As pid 1, signals from inside the namespace only arrive if handled: none is. These matter
  // only if bubblewrap ever runs us as an ordinary process.
  signal(SIGINT, SIG_IGN);
  signal(SIGTERM, SIG_IGN);
  signal(SIGHUP, SIG_IGN);
  signal(SIGPIPE, SIG_IGN);
  // Reap everything: orphans of the program are reparented to pid 1. When the program itself
  // ends, report and exit; the kernel then kills whatever is left in the namespace.
  int status;
  for (;;) {
    pid_t r = wait4(-1, &status, 0, NULL);
    if (r == child) break;
    if (r < 0 && errno != EINTR) {
      report("init-error wait: %s", strerror(errno));
      return 125;
    }
  }
  if (WIFSIGNALED(status)) {
    report("signal %d", WTERMSIG(status));
    return 128 + WTERMSIG(status);
  }
  report("exit %d", WEXITSTATUS(status));
  return WEXITSTATUS(status);
}

// devdir PATH  (host side, once per engine instance, as root)
//   The sandbox's /dev for stages without a terminal: a small read-only tmpfs on PATH (mounted
//   by host root, so its device nodes work when bubblewrap binds it with --dev-bind) holding
//   null, zero, full, random and urandom, the fd/stdin/stdout/stderr links and an empty shm
//   directory (each stage mounts its own /dev/shm on it). One bind per stage instead of
//   bubblewrap's --dev: a tmpfs, six device binds (each followed by a mountinfo read) and a
//   devpts, created and torn down for every run.
static int do_devdir(int argc, char **argv) {
  if (argc != 1) { fprintf(stderr, "usage: muscode-sandbox devdir PATH\n"); return 64; }
  const char *dir = argv[0];
  if (mount("muscode-dev", dir, "tmpfs", MS_NOSUID | MS_NOEXEC, "size=65536,nr_inodes=64,mode=0755,uid=0,gid=0") != 0) {
    perror("mount"); return 1;
  }
  static const struct { const char *name; unsigned major, minor; } nodes[] = {
    { "null", 1, 3 }, { "zero", 1, 5 }, { "full", 1, 7 }, { "random", 1, 8 }, { "urandom", 1, 9 },
  };
  static const char *links[][2] = {
    { "fd", "/proc/self/fd" }, { "stdin", "/proc/self/fd/0" }, { "stdout", "/proc/self/fd/1" }, { "stderr", "/proc/self/fd/2" },
  };
  int d = open(dir, O_RDONLY | O_DIRECTORY | O_CLOEXEC);
  int ok = d >= 0;
  for (size_t k = 0; ok && k < sizeof nodes / sizeof nodes[0]; k++)
    ok = mknodat(d, nodes[k].name, S_IFCHR | 0666, makedev(nodes[k].major, nodes[k].minor)) == 0 &&
         fchmodat(d, nodes[k].name, 0666, 0) == 0;
  for (size_t k = 0; ok && k < sizeof links / sizeof links[0]; k++) ok = symlinkat(links[k][1], d, links[k][0]) == 0;
  ok = ok && mkdirat(d, "shm", 0755) == 0;
  ok = ok && mount(NULL, dir, NULL, MS_REMOUNT | MS_RDONLY | MS_NOSUID | MS_NOEXEC, "size=65536,nr_inodes=64,mode=0755,uid=0,gid=0") == 0;
  if (!ok) {
    perror("devdir");
    umount2(dir, MNT_DETACH);
    return 1;
  }
  return 0;
}

int main(int argc, char **argv) {
  if (argc >= 2 && !strcmp(argv[1], "devdir")) return do_devdir(argc - 2, argv + 2);
  if (argc >= 2 && !strcmp(argv[1], "launch")) return do_launch(argc - 2, argv + 2);
  if (argc >= 2 && !strcmp(argv[1], "init")) return do_init(argc - 2, argv + 2);
  fprintf(stderr, "usage: muscode-sandbox launch|init ...\n");
  return 64;
}
