/**
 * What a run can learn of the host's layout: nothing. Its pid 1 is our init, with a blank
 * command line and no path in the sandbox (exec'd from an fd); no mount, process or file names
 * the run directory, the checkout, or where the init lives; /usr/local (the host's own npmrc,
 * pip.conf, CA certificates...) is an empty read-only directory.
 */
import fs from 'node:fs';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { REPO_ROOT } from '../../src/config/config.js';
import { out, runCode, useEngine } from '../helpers/engine.js';
import { C_PRELUDE, parseLines, uniqueMarker } from './hostile.js';

describe('hostile: the host layout', () => {
  const ctx = useEngine();

  it('/proc/1, every /proc/*/cmdline and mountinfo show no host path, and / holds no init', async () => {
    // Three processes of its own (a child and a grandchild), so that /proc/* is not only itself.
    const src = `${C_PRELUDE}
#include <dirent.h>
static void dump(const char *key, const char *path) {
  char buf[16384];
  int fd = open(path, O_RDONLY);
  if (fd < 0) { printf("%s=ERR%d\\n", key, errno); return; }
  ssize_t n = read(fd, buf, sizeof buf - 1);
  close(fd);
  if (n < 0) { printf("%s=ERR%d\\n", key, errno); return; }
  for (ssize_t i = 0; i < n; i++) if (buf[i] == 0 || buf[i] == '\\n') buf[i] = '|';
  buf[n] = 0;
  printf("%s=%s\\n", key, buf);
}
int main(void) {
  if (fork() == 0) { if (fork() == 0) { sleep(5); _exit(0); } sleep(5); _exit(0); }
  usleep(100000);
  dump("cmdline1", "/proc/1/cmdline");
  dump("environ1", "/proc/1/environ");
  dump("comm1", "/proc/1/comm");
  dump("mountinfo", "/proc/self/mountinfo");
  dump("mounts1", "/proc/1/mountinfo");
  char exe[4096];
  ssize_t n = readlink("/proc/1/exe", exe, sizeof exe - 1);
  printf("exe1=%s\\n", n < 0 ? "ERR" : (exe[n] = 0, exe));
  DIR *d = opendir("/proc");
  struct dirent *e;
  printf("all_cmdlines=");
  while ((e = readdir(d))) {
    if (e->d_name[0] < '1' || e->d_name[0] > '9') continue;
    char p[64], buf[4096];
    snprintf(p, sizeof p, "/proc/%s/cmdline", e->d_name);
    int fd = open(p, O_RDONLY);
    if (fd < 0) continue;
    ssize_t k = read(fd, buf, sizeof buf - 1);
    close(fd);
    for (ssize_t i = 0; i < k; i++) if (buf[i] == 0) buf[i] = ' ';
    buf[k > 0 ? k : 0] = 0;
    printf("[%s:%s]", e->d_name, buf);
  }
  printf("\\n");
  d = opendir("/");
  printf("root=");
  while ((e = readdir(d))) printf("%s,", e->d_name);
  printf("\\n");
  T("muscode_dir", access("/.muscode", F_OK));
  T("ppid", getppid());
  return 0;
}
`;
    const r = await runCode(ctx.engine, 'c', src);
    expect(r.run?.status, r.run?.stderr.toString()).toBe('ok');
    const text = out(r);
    const lines = parseLines(text);
    // Our init, blanked: "init" and NULs, nothing else.
    expect(lines.get('cmdline1')!.replace(/\|+$/, '')).toBe('init');
    expect(lines.get('comm1')).toBe('init|');
    // Non-dumpable: its environment and executable are not readable. (Its mountinfo is, and it
    // is the run's own mount table, checked for host paths below with everything else.)
    expect(lines.get('environ1')).toMatch(/^ERR/);
    expect(lines.get('exe1')).toBe('ERR');
    expect(lines.get('mounts1')).toBe(lines.get('mountinfo'));
    expect(lines.get('ppid')).toBe('1 errno=0');
    expect(lines.get('muscode_dir')).toBe('-1 errno=2');
    const usrLinks = ['bin', 'sbin', 'lib', 'lib64', 'lib32'].filter((n) => fs.existsSync(`/${n}`));
    expect(lines.get('root')!.split(',').filter(Boolean).sort()).toEqual(['.', '..', 'box', 'dev', 'etc', 'proc', 'tmp', 'usr', ...usrLinks].sort());
    const cmdlines = lines.get('all_cmdlines')!;
    expect(cmdlines).toMatch(/^\[1:init *\]/);
    expect(cmdlines).not.toMatch(/bwrap|--/);
    for (const hostPath of ['/run/muscode', ctx.config.SANDBOX_RUN_DIR, REPO_ROOT, ctx.config.DATA_DIR, '/.muscode', 'muscode-init', 'newroot/run']) {
      expect(text, hostPath).not.toContain(hostPath);
    }
  });

  it('a TypeScript run (its compiler and types come from the checkout) finds no host path in mountinfo', async () => {
    const src = `import * as fs from 'fs';\nconsole.log(fs.readFileSync('/proc/self/mountinfo', 'utf8'));\nconsole.log(fs.readdirSync('/opt/typescript').includes('tsc'));\n`;
    const r = await runCode(ctx.engine, 'typescript', src);
    expect(r.compile?.status, r.compile?.stderr.toString()).toBe('ok');
    expect(r.run?.status, r.run?.stderr.toString()).toBe('ok');
    const text = out(r);
    expect(text).toMatch(/ \/opt\/typescript ro,.* muscode-extras /);
    expect(text).toMatch(/true\n*$/);
    for (const hostPath of [REPO_ROOT, 'node_modules', ctx.config.SANDBOX_RUN_DIR, '/run/muscode']) expect(text, hostPath).not.toContain(hostPath);
  });

  describe('/usr/local', () => {
    const marker = uniqueMarker('usrlocal');
    const dir = `/usr/local/etc/muscode-hostile-${process.pid}`;
    beforeAll(() => {
      // World-readable, so that only the sandbox's view (not file modes) keeps it out.
      fs.mkdirSync(dir, { recursive: true, mode: 0o755 });
      fs.writeFileSync(`${dir}/pip.conf`, `[global]\nindex-url = https://user:${marker}@example.invalid/\n`, { mode: 0o644 });
    });
    afterAll(() => fs.rmSync(dir, { recursive: true, force: true }));

    it('sees an empty, read-only /usr/local: no /usr/local/etc (npmrc, pip.conf), no CA certificates', async () => {
      const src = `
import os
def attempt(name, fn):
    try:
        print(f"{name}=" + repr(fn()))
    except OSError as e:
        print(f"{name}=errno{e.errno}")
attempt("list", lambda: sorted(os.listdir("/usr/local")))
attempt("etc", lambda: os.listdir("/usr/local/etc"))
attempt("pipconf", lambda: open("${dir}/pip.conf").read())
attempt("npmrc", lambda: open("/usr/local/etc/npmrc").read())
attempt("certs", lambda: os.listdir("/usr/local/share/ca-certificates"))
attempt("write", lambda: open("/usr/local/x", "w").write("x"))
`;
      const r = await runCode(ctx.engine, 'python', src);
      expect(r.run?.status, r.run?.stderr.toString()).toBe('ok');
      const lines = parseLines(out(r));
      expect(lines.get('list')).toBe('[]');
      expect(lines.get('etc')).toBe('errno2');
      expect(lines.get('pipconf')).toBe('errno2');
      expect(lines.get('npmrc')).toBe('errno2');
      expect(lines.get('certs')).toBe('errno2');
      expect(lines.get('write')).toBe('errno30'); // EROFS
      expect(out(r)).not.toContain(marker);
    });
  });
});
