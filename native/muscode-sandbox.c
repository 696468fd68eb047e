// muscode-sandbox: the two tiny native steps of a sandboxed run that Node cannot do itself.
//
//   launch  (host side, started by the engine as root)
//     Joins the run's cgroups by writing its own pid, sets the rlimits, drops to the slot's
//     unprivileged uid/gid with no supplementary groups, sets no_new_privs and a parent-death
//     signal, then execs bubblewrap. Because the pid is written *before* exec, every process the
//     user's program ever creates is born inside the cgroups: a fork at the first instruction
//     cannot escape the limits. Any failure reports "launch-error ..." on the status fd and exits
//     125 without running anything (fail closed).
//
//   init    (sandbox side, the command bubblewrap starts)
//     Forks the user's program and reports its exact wait status ("exit N" / "signal N") on the
//     status fd. bubblewrap itself folds a signal into exit code 128+N, which would make
//     `exit(137)` and SIGKILL indistinguishable. The status fd is close-on-exec in the program and
//     this process is non-dumpable, so the program can neither inherit nor reopen it
//     (/proc/PID/fd of a non-dumpable process is not accessible to the same uid).
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
#include <sys/prctl.h>
#include <dirent.h>
#include <sys/resource.h>
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

static int do_launch(int argc, char **argv) {
  long long uid = -1, gid = -1, v;
  int keep[MAX_KEEP_FDS];
  int nkeep = 0;
  pid_t original_parent = getppid();
  int i = 0;
  // First pass: the status fd, so that later failures can be reported.
  for (int j = 0; j < argc - 1; j++) {
    if (!strcmp(argv[j], "--")) break;
    if (!strcmp(argv[j], "--status-fd") && parse_int(argv[j + 1], &v) == 0) status_fd = (int)v;
  }
  for (; i < argc; i++) {
    const char *a = argv[i];
    if (!strcmp(a, "--")) { i++; break; }
    if (i + 1 >= argc) { errno = EINVAL; fail("missing option value"); }
    const char *val = argv[++i];
    if (!strcmp(a, "--status-fd")) continue;
    else if (!strcmp(a, "--uid")) { if (parse_int(val, &uid)) { errno = EINVAL; fail("uid"); } }
    else if (!strcmp(a, "--gid")) { if (parse_int(val, &gid)) { errno = EINVAL; fail("gid"); } }
    else if (!strcmp(a, "--cgroup")) join_cgroup(val);
    else if (!strcmp(a, "--rlimit")) apply_rlimit(val);
    else if (!strcmp(a, "--keep-fd")) {
      if (parse_int(val, &v) || v < 3 || v > 1023 || nkeep >= MAX_KEEP_FDS - 1) { errno = EINVAL; fail("keep-fd"); }
      keep[nkeep++] = (int)v;
    }
    else { errno = EINVAL; fail("unknown option"); }
  }
  if (i >= argc) { errno = EINVAL; fail("no command"); }
  if (uid <= 0 || gid <= 0) { errno = EINVAL; fail("uid/gid must be set and not root"); }
  // Only the status fd and the --keep-fd ones (bwrap's seccomp fd) go on to bubblewrap.
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

static int do_init(int argc, char **argv) {
  long long v;
  int i = 0;
  for (; i < argc; i++) {
    if (!strcmp(argv[i], "--")) { i++; break; }
    if (!strcmp(argv[i], "--status-fd") && i + 1 < argc && parse_int(argv[i + 1], &v) == 0) {
      status_fd = (int)v;
      i++;
    }
  }
  if (i >= argc || status_fd < 0) return 125;
  if (fcntl(status_fd, F_SETFD, FD_CLOEXEC) != 0) return 125;
  prctl(PR_SET_DUMPABLE, 0, 0, 0, 0);
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
    execv(argv[i], &argv[i]);
    report("exec-error %s", strerror(errno));
    _exit(127);
  }
  // The program may be killed by the engine at any moment; only its own status matters here.
  signal(SIGINT, SIG_IGN);
  signal(SIGTERM, SIG_IGN);
  signal(SIGHUP, SIG_IGN);
  signal(SIGPIPE, SIG_IGN);
  int status;
  struct rusage ru;
  for (;;) {
    pid_t r = wait4(child, &status, 0, &ru);
    if (r == child) break;
    if (r < 0 && errno != EINTR) return 125;
  }
  if (WIFSIGNALED(status)) {
    report("signal %d", WTERMSIG(status));
    return 128 + WTERMSIG(status);
  }
  report("exit %d", WEXITSTATUS(status));
  return WEXITSTATUS(status);
}

int main(int argc, char **argv) {
  if (argc >= 2 && !strcmp(argv[1], "launch")) return do_launch(argc - 2, argv + 2);
  if (argc >= 2 && !strcmp(argv[1], "init")) return do_init(argc - 2, argv + 2);
  fprintf(stderr, "usage: muscode-sandbox launch|init ...\n");
  return 64;
}
