/**
 * Links, FIFOs and rewritten binaries left for the host (Judge0 CVE-2024-28185 / -28189): the
 * host, running as root, reads and removes box contents after a stage. It must never follow a
 * link a program planted, block on a FIFO, or let a run stage poison the compile cache.
 */
import fs from 'node:fs';
import path from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { CompileCache } from '../../src/engine/runner/compile-cache.js';
import { out, runCode, useEngine } from '../helpers/engine.js';
import { M1_PAYLOAD } from './m1-payload.js';
import { C_PRELUDE, hostSecrets, parseLines } from './hostile.js';

describe('hostile: links and the compile cache', () => {
  const ctx = useEngine();
  let secrets: ReturnType<typeof hostSecrets>;
  let shadowBefore: Buffer;
  beforeAll(() => {
    secrets = hostSecrets('links');
    shadowBefore = fs.readFileSync('/etc/shadow');
  });
  afterAll(() => secrets?.remove());

  const hostUnchanged = () => {
    expect(fs.readFileSync(secrets.hidden.file, 'utf8')).toBe(`${secrets.hidden.marker}\n`);
    expect(fs.readFileSync(secrets.visible.file, 'utf8')).toBe(`${secrets.visible.marker}\n`);
    expect(fs.statSync(secrets.hidden.file).mode & 0o777).toBe(0o600);
    expect(fs.readdirSync(secrets.hidden.dir)).toEqual(['secret.h']);
    expect(fs.readFileSync('/etc/shadow').equals(shadowBefore)).toBe(true);
  };

  // One program, two behaviours picked by argv, so both runs share one compile-cache entry.
  const program = (tag: string) => `${C_PRELUDE}
#include <sys/stat.h>
int main(int argc, char **argv) {
  printf("original %s\\n", "${tag}");
  if (argc < 2) return 0;
  if (!strcmp(argv[1], "links")) {
    /* Replace our own binary by a link to a host file, and plant more traps. */
    T("unlink_main", unlink("main"));
    T("symlink_main", symlink(argv[2], "main"));
    T("symlink_shadow", symlink("/etc/shadow", "shadow"));
    T("symlink_dir", symlink(argv[3], "dir"));
    T("mkfifo", mkfifo("fifo", 0666));
    T("mkfifo_main_c", (unlink("main.c"), mkfifo("main.c", 0666)));
    T("hardlink_usr", link("/usr/bin/gcc", "gcc"));          /* another filesystem: EXDEV */
    T("hardlink_proc", link("/proc/self/exe", "exe"));
    T("mkdir_locked", mkdir("locked", 0));
    T("symlink_in_locked", symlink(argv[2], "locked/x"));
  } else if (!strcmp(argv[1], "rewrite")) {
    /* Replace our own binary by a script that claims the cache is ours. */
    T("unlink_main", unlink("main"));
    int fd = open("main", O_WRONLY | O_CREAT | O_EXCL, 0755);
    const char *script = "#!/bin/sh\\necho POISONED\\n";
    T("write_main", write(fd, script, strlen(script)));
    close(fd);
    T("chmod_main", chmod("main", 0755));
  }
  return 0;
}
`;

  it('a run stage that swaps its binary for links to host files does not poison the cache or make the host follow them', async () => {
    const src = program('links');
    const first = await runCode(ctx.engine, 'c', src, { args: ['links', secrets.hidden.file, secrets.hidden.dir] });
    expect(first.compile?.status).toBe('ok');
    expect(first.compile?.cached).toBe(false);
    expect(first.run?.status, first.run?.stderr.toString()).toBe('ok');
    const lines = parseLines(out(first));
    // The attack itself worked inside the box...
    for (const k of ['unlink_main', 'symlink_main', 'symlink_shadow', 'symlink_dir', 'mkfifo', 'mkfifo_main_c']) {
      expect(lines.get(k), k).toBe('0 errno=0');
    }
    expect(lines.get('hardlink_usr')).toBe('-1 errno=18'); // EXDEV: no hard link into the host's files
    expect(lines.get('hardlink_proc')).toMatch(/^-1 errno=(18|2)$/);
    // ...and the host, cleaning the box as root, followed nothing.
    hostUnchanged();

    // Same source: a cache hit, and the binary is the original one, not the planted link.
    const second = await runCode(ctx.engine, 'c', src);
    expect(second.compile?.cached).toBe(true);
    expect(second.run?.status).toBe('ok');
    expect(out(second)).toBe('original links\n');
    hostUnchanged();
  });

  it('a run stage that rewrites its own binary does not change what the next identical submission runs', async () => {
    const src = program('rewrite');
    const first = await runCode(ctx.engine, 'c', src, { args: ['rewrite'] });
    expect(first.run?.status).toBe('ok');
    expect(parseLines(out(first)).get('write_main')).toMatch(/^2\d errno=0$/);
    for (let i = 0; i < 2; i++) {
      // Twice: each slot gets a run, whichever slot the rewrite happened in.
      const again = await runCode(ctx.engine, 'c', src);
      expect(again.compile?.cached).toBe(true);
      expect(out(again)).toBe('original rewrite\n');
      expect(out(again)).not.toContain('POISONED');
    }
  });

  it('a box full of links, FIFOs and locked directories is emptied without blocking or following', async () => {
    // Python this time (no compile): the traps are cleaned up after the run stage itself.
    const src = `
import os, sys
os.symlink(sys.argv[1], "hidden")
os.symlink(sys.argv[2], "dir")
os.symlink("/", "root")
os.symlink("/proc/self/root", "proc-root")
os.mkfifo("fifo")
os.mkdir("deep")
os.symlink(sys.argv[2], "deep/dir-again")
os.mkdir("locked")
os.symlink(sys.argv[1], "locked/hidden")
os.chmod("locked", 0)
os.chmod(".", 0o500)
print("planted")
`;
    const r = await runCode(ctx.engine, 'python', src, { args: [secrets.hidden.file, secrets.hidden.dir] });
    expect(r.run?.status, r.run?.stderr.toString()).toBe('ok');
    expect(out(r)).toBe('planted\n');
    hostUnchanged();
    // The harness's after-each check asserts the box is empty again. And the box root, whose
    // mode the program changed, works for the next submissions in both slots: a compile writes.
    for (let i = 0; i < 2; i++) {
      const next = await runCode(ctx.engine, 'c', `#include <stdio.h>\nint main(void) { puts("next"); return 0; }\n`);
      expect(next.compile?.status, next.compile?.stderr.toString()).toBe('ok');
      expect(out(next)).toBe('next\n');
    }
  });

  it('M1: the red-team "@opts.c" payload leaves no compile-cache entry; the key covers argv, environment and binds', async () => {
    const cacheDir = path.join(ctx.config.DATA_DIR, 'compile-cache');
    const entries = () => (fs.existsSync(cacheDir) ? fs.readdirSync(cacheDir).sort() : []);
    const before = entries();
    const err = await ctx.engine
      .run({ language: 'c', mainFile: M1_PAYLOAD.mainFile, files: M1_PAYLOAD.files.map((f) => ({ path: f.name, content: f.content })) })
      .catch((e: unknown) => e);
    expect((err as { code?: string }).code).toBe('INVALID_PATH');
    expect(entries()).toEqual(before);
    // An entry answers only for the same compile: what reaches the compiler beyond the sources
    // (argv, environment, read-only binds) is part of the key.
    const files = [{ path: 'main.c', data: Buffer.from('int main(void){return 0;}\n'), mode: 0o644 }];
    const base = { language: 'c', version: '12', argv: ['/usr/bin/gcc', './main.c'], env: { PATH: '/usr/bin' }, binds: [], files };
    const key = CompileCache.key(base);
    expect(CompileCache.key({ ...base, env: { PATH: '/usr/bin' } })).toBe(key);
    expect(CompileCache.key({ ...base, argv: ['/usr/bin/gcc', '@main.c'] })).not.toBe(key);
    expect(CompileCache.key({ ...base, env: { PATH: '/usr/bin', CGO_ENABLED: '1' } })).not.toBe(key);
    expect(CompileCache.key({ ...base, binds: [{ source: '/etc/x', dest: '/etc/x' }] })).not.toBe(key);
  });
});
