/**
 * Attacks at compile time. Compilers read files named in the source (#include, .incbin,
 * include_str!), and some compilers run user code (javac runs annotation processors found on
 * the class path). The compile stage is a sandbox like the run stage, and what it leaves in the
 * box is copied out without following anything.
 */
import fs from 'node:fs';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import type { RunResult } from '../../src/engine/types.js';
import { out, runCode, useEngine } from '../helpers/engine.js';
import { hostSecrets } from './hostile.js';

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
});
