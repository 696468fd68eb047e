/**
 * Attacks at compile time. Compilers read files named in the source (#include, .incbin,
 * include_str!), and some compilers run user code (javac runs annotation processors found on
 * the class path). The compile stage is a sandbox like the run stage, and what it leaves in the
 * box is copied out without following anything.
 */
import { spawnSync } from 'node:child_process';
import fs from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { c as cLanguage } from '../../src/engine/languages/c.js';
import { expandArgv } from '../../src/engine/runner/job.js';
import type { RunResult } from '../../src/engine/types.js';
import { CallerError } from '../../src/errors.js';
import { out, runCode, useEngine } from '../helpers/engine.js';
import { hostSecrets } from './hostile.js';
import { M1_PAYLOAD } from './m1-payload.js';


const allOutput = (r: RunResult) =>
  [r.compile?.stdout, r.compile?.stderr, r.compile?.message, r.run?.stdout, r.run?.stderr].map((b) => b?.toString() ?? '').join('\n');

describe('hostile: compile time', () => {
  const ctx = useEngine();
  let secrets: ReturnType<typeof hostSecrets>;
  let shadow = '';

  beforeAll(() => {
    secrets = hostSecrets('compile');
    shadow = fs.readFileSync('/etc/shadow', 'utf8').split('\n')[0]!;
  });
  afterAll(() => secrets?.remove());

  const expectNoSecret = (r: RunResult) => {
    const text = allOutput(r);
    expect(text).not.toContain(secrets.hidden.marker);
    expect(text).not.toContain(secrets.visible.marker);
    expect(text).not.toContain(shadow);
  };

  it('C: #include of /etc/shadow and of root-only host files fails to compile without revealing them', async () => {
    for (const target of ['/etc/shadow', secrets.hidden.file, secrets.visible.file]) {
      const r = await runCode(ctx.engine, 'c', `#include "${target}"\nint main(void) { return 0; }\n`);
      expect(r.compile?.status, target).toBe('compile_error');
      expect(r.run).toBeNull();
      expectNoSecret(r);
    }
  });

  it('C: the assembler\'s .incbin of a host file fails too', async () => {
    for (const target of ['/etc/shadow', secrets.visible.file]) {
      const src = `__asm__(".section .rodata\\nleak: .incbin \\"${target}\\"\\n.previous");\nint main(void) { return 0; }\n`;
      const r = await runCode(ctx.engine, 'c', src);
      expect(r.compile?.status, target).toBe('compile_error');
      expectNoSecret(r);
    }
  });

  it('Rust: include_str!/include_bytes! of host files fail to compile without revealing them', async () => {
    for (const [mac, target] of [
      ['include_str', '/etc/shadow'],
      ['include_str', secrets.hidden.file],
      ['include_bytes', secrets.visible.file],
    ] as const) {
      const r = await runCode(ctx.engine, 'rust', `static LEAK: &[u8] = ${mac}!("${target}")${mac === 'include_str' ? '.as_bytes()' : ''};\nfn main() { println!("{}", LEAK.len()); }\n`);
      expect(r.compile?.status, `${mac} ${target}`).toBe('compile_error');
      expectNoSecret(r);
    }
  });

  it('Java: javac runs no annotation processor (-proc:none), so a processor on the class path plants nothing', async () => {
    // Step 1: get a compiled processor class. The engine itself compiles it, and a run stage
    // prints the class file's bytes.
    const processor = `
import java.nio.file.*;
import java.util.Set;
import javax.annotation.processing.*;
import javax.lang.model.SourceVersion;
import javax.lang.model.element.TypeElement;

@SupportedAnnotationTypes("*")
public class Evil extends AbstractProcessor {
  private static boolean planted;
  @Override public synchronized void init(ProcessingEnvironment env) {
    super.init(env);
    if (planted) return;
    planted = true;
    try {
      Files.write(Paths.get("/box/planted.txt"), "planted-at-compile".getBytes());
      Files.createSymbolicLink(Paths.get("/box/shadow-link"), Paths.get("/etc/shadow"));
      Files.createSymbolicLink(Paths.get("/box/hidden-link"), Paths.get(${JSON.stringify(secrets.hidden.file)}));
      Files.createSymbolicLink(Paths.get("/box/visible-link"), Paths.get(${JSON.stringify(secrets.visible.file)}));
      Files.createSymbolicLink(Paths.get("/box/dir-link"), Paths.get(${JSON.stringify(secrets.hidden.dir)}));
      Files.createDirectories(Paths.get("/box/sub"));
      Files.createSymbolicLink(Paths.get("/box/sub/Main.class"), Paths.get("/etc/shadow"));
      new ProcessBuilder("/usr/bin/mkfifo", "/box/fifo").inheritIO().start().waitFor();
    } catch (Exception e) {
      throw new RuntimeException(e);
    }
  }
  @Override public boolean process(Set<? extends TypeElement> annotations, RoundEnvironment round) { return false; }
  @Override public SourceVersion getSupportedSourceVersion() { return SourceVersion.latestSupported(); }
}
`;
    const dumper = `import java.nio.file.*;\npublic class Main {\n  public static void main(String[] a) throws Exception {\n    System.out.print(java.util.Base64.getEncoder().encodeToString(Files.readAllBytes(Paths.get("Evil.class"))));\n  }\n}\n`;
    const built = await ctx.engine.run({
      language: 'java',
      files: [
        { path: 'Main.java', content: dumper },
        { path: 'Evil.java', content: processor },
      ],
    });
    expect(built.run?.status, allOutput(built)).toBe('ok');
    const evilClass = Buffer.from(out(built), 'base64');
    expect(evilClass.subarray(0, 4).toString('hex')).toBe('cafebabe');

    // Step 2: a submission whose class path holds the processor: without -proc:none javac would run it while compiling.
    const lister = `import java.nio.file.*;
public class Main {
  public static void main(String[] a) throws Exception {
    try (DirectoryStream<Path> d = Files.newDirectoryStream(Paths.get("/box"))) {
      for (Path p : d) {
        String kind = Files.isSymbolicLink(p) ? "link" : Files.isRegularFile(p, LinkOption.NOFOLLOW_LINKS) ? "file" : Files.isDirectory(p, LinkOption.NOFOLLOW_LINKS) ? "dir" : "other";
        System.out.println("entry " + p.getFileName() + "=" + kind);
        if (kind.equals("file") && Files.size(p) < 4096) System.out.println("content " + p.getFileName() + "=" + new String(Files.readAllBytes(p)).trim());
      }
    }
    if (Files.exists(Paths.get("/box/sub"))) try (DirectoryStream<Path> d = Files.newDirectoryStream(Paths.get("/box/sub"))) {
      for (Path p : d) System.out.println("entry sub/" + p.getFileName());
    }
  }
}
`;
    const r = await ctx.engine.run({
      language: 'java',
      files: [
        { path: 'Main.java', content: lister },
        { path: 'Evil.class', content: evilClass },
        { path: 'META-INF/services/javax.annotation.processing.Processor', content: 'Evil\n' },
      ],
    });
    expect(r.compile?.status, allOutput(r)).toBe('ok');
    expect(r.run?.status, allOutput(r)).toBe('ok');
    const text = out(r);
    // The processor never ran: nothing it would plant exists, and nothing was read through a link.
    expect(text).toContain('entry Main.class=file');
    for (const name of ['planted.txt', 'shadow-link', 'hidden-link', 'visible-link', 'dir-link', 'fifo', 'sub/Main.class']) {
      expect(text).not.toContain(`entry ${name}`);
    }
    expectNoSecret(r);
    expect(fs.readFileSync(secrets.hidden.file, 'utf8')).toBe(`${secrets.hidden.marker}\n`);
    expect(fs.readdirSync(secrets.hidden.dir)).toEqual(['secret.h']);
  });

  it('M1: the "@opts.c" payload of the red-team report is refused (INVALID_PATH) before any compiler runs', async () => {
    const err = await ctx.engine
      .run({ language: M1_PAYLOAD.language, mainFile: M1_PAYLOAD.mainFile, files: M1_PAYLOAD.files.map((f) => ({ path: f.name, content: f.content })) })
      .then(
        (r) => r,
        (e: unknown) => e,
      );
    expect(err).toBeInstanceOf(CallerError);
    expect((err as CallerError).code).toBe('INVALID_PATH');
    expect((err as CallerError).message).toMatch(/@opts\.c.*starts with "@"/);
    // Without "@opts.c", opts.c is what it says: a C source (a bad one), compiled, never options.
    const rest = M1_PAYLOAD.files.filter((f) => f.name !== '@opts.c');
    const r = await ctx.engine.run({ language: 'c', mainFile: 'main.c', files: rest.map((f) => ({ path: f.name, content: f.content })) });
    expect(r.compile?.status, allOutput(r)).toBe('compile_error');
    expect(r.compile?.stderr.toString()).toMatch(/\.\/opts\.c:1:1: error/);
    expect(r.run).toBeNull();
  });

  it('M1: "@" is refused in a directory name and as the main file, for javac, rustc and tsc too', async () => {
    const cases = [
      { language: 'c', files: [{ path: 'main.c', content: 'int main(void){return 0;}\n' }, { path: '@x/a.c', content: 'int a;\n' }] },
      { language: 'java', files: [{ path: '@Main.java', content: 'class Main { public static void main(String[] a) {} }\n' }] },
      { language: 'rust', files: [{ path: '@main.rs', content: 'fn main() {}\n' }] },
      { language: 'typescript', files: [{ path: 'main.ts', content: 'console.log(1);\n' }, { path: '@tsc-args.ts', content: '--help\n' }] },
    ];
    for (const req of cases) {
      const err = await ctx.engine.run(req).then(
        () => null,
        (e: unknown) => e,
      );
      expect((err as CallerError | null)?.code, req.language).toBe('INVALID_PATH');
    }
  });

  it('M1, second wall: every language passes user-chosen names so that no leading character is an option or a response file', () => {
    // Names prepareJob would refuse, handed straight to expandArgv: what the toolchains would see.
    for (const def of ctx.engine.languages.definitions) {
      const ext = def.extensions[0]!;
      for (const lead of ['@', '-']) {
        const job = {
          files: [`${lead}main${ext}`, `${lead}dir/util${ext}`, `plain${ext}`].map((p) => ({ path: p, data: Buffer.from('x'), mode: 0o644 })),
          mainFile: `${lead}main${ext}`,
          stdin: Buffer.alloc(0),
          args: [],
        };
        const argvs: string[][] = [];
        if (def.compile) argvs.push(expandArgv(def.compile.argv, job, def.compile.sourceExtensions ?? def.extensions));
        let refused: unknown = null;
        try {
          argvs.push(expandArgv(def.run.argv, job, def.extensions));
        } catch (e) {
          refused = e;
        }
        if (def.run.argv.includes('{mainClass}')) {
          // A Java class name cannot be given as "./Name": expandArgv refuses it outright.
          expect((refused as CallerError | null)?.code, def.id).toBe('INVALID_PATH');
        } else {
          expect(refused, def.id).toBeNull();
        }
        for (const argv of argvs) {
          const templateWords = new Set([...(def.compile?.argv ?? []), ...def.run.argv]);
          for (const word of argv.slice(1)) {
            if (templateWords.has(word)) continue;
            expect(word, `${def.id}: ${JSON.stringify(argv)}`).not.toMatch(/^[-@]/);
          }
        }
      }
    }
  });

  it('M1, second wall with the real gcc: "./@opts.c" is compiled as a source, never read as options', () => {
    // Run as nobody in a scratch directory, with the C language's own compile argv.
    const dir = fs.mkdtempSync(path.join(os.tmpdir(), 'muscode-m1-'));
    try {
      fs.chmodSync(dir, 0o777);
      const write = (name: string, content: string) => fs.writeFileSync(path.join(dir, name), content, { mode: 0o644 });
      write('main.c', '#include <stdio.h>\nint helper(void);\nint main(void){printf("%d\\n", helper());return 0;}\n');
      write('@opts.c', 'int helper(void){return 42;}\n');
      write('opts', `-wrapper /bin/sh,${dir}/w.sh\n`);
      write('w.sh', `echo wrapped > ${dir}/PWNED\nexec "$@"\n`);
      const job = {
        files: ['main.c', '@opts.c'].map((p) => ({ path: p, data: Buffer.alloc(0), mode: 0o644 })),
        mainFile: 'main.c',
        stdin: Buffer.alloc(0),
        args: [],
      };
      const argv = expandArgv(cLanguage.compile!.argv, job, cLanguage.compile!.sourceExtensions!);
      expect(argv).toContain('./@opts.c');
      const r = spawnSync(argv[0]!, argv.slice(1), { cwd: dir, uid: 65534, gid: 65534, encoding: 'utf8', env: { PATH: '/usr/bin:/bin' } });
      expect(r.status, r.stderr).toBe(0);
      expect(spawnSync(path.join(dir, 'main'), { encoding: 'utf8', uid: 65534, gid: 65534 }).stdout).toBe('42\n');
      expect(fs.existsSync(path.join(dir, 'PWNED'))).toBe(false);
    } finally {
      fs.rmSync(dir, { recursive: true, force: true });
    }
  });

  it('Go: cgo is off, so "#cgo" flags never reach gcc or the linker at build time', async () => {
    const src = 'package main\n\n/*\n#cgo CFLAGS: -DX=1\nint x(void) { return X; }\n*/\nimport "C"\nimport "fmt"\n\nfunc main() { fmt.Println(C.x()) }\n';
    const r = await runCode(ctx.engine, 'go', src);
    expect(r.compile?.status, allOutput(r)).toBe('compile_error');
    expect(r.run).toBeNull();
    // And a plain Go program still builds and runs.
    const ok = await runCode(ctx.engine, 'go', 'package main\n\nimport "fmt"\n\nfunc main() { fmt.Println("go ok") }\n');
    expect(out(ok), allOutput(ok)).toBe('go ok\n');
  });
});
