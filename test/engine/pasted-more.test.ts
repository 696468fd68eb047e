/**
 * Code as people paste it, for the languages beyond the core: Kotlin and Scala run the class
 * their source declares (the compiler does not tie it to the file's name), C# and Groovy need
 * nothing, and a UTF-8 BOM, CRLF line ends and a shebang line break none of them.
 */
import { describe, expect, it } from 'vitest';
import { kotlinMainClass, scalaMainClass } from '../../src/engine/languages/pasted-jvm.js';
import { MORE_LANGUAGES } from '../../src/engine/languages/registry.js';
import { CI, out, runCode, useEngine } from '../helpers/engine.js';

describe('the JVM class to start, read from Kotlin and Scala sources', () => {
  it('Kotlin: the facade of a top-level main, an object or companion with @JvmStatic main, a package', () => {
    expect(kotlinMainClass('main.kt', 'fun main() { println(1) }')).toBe('MainKt');
    expect(kotlinMainClass('hello.kt', 'fun main(args: Array<String>) {}')).toBe('HelloKt');
    expect(kotlinMainClass('Main.kt', 'package a.b\n\nsuspend fun main() {}')).toBe('a.b.MainKt');
    expect(kotlinMainClass('main.kt', '@file:JvmName("Tool")\nfun main() {}')).toBe('Tool');
    expect(kotlinMainClass('main.kt', 'object FizzBuzz {\n  @JvmStatic fun main(args: Array<String>) {}\n}')).toBe('FizzBuzz');
    expect(kotlinMainClass('main.kt', 'class App {\n  companion object {\n    @JvmStatic fun main(args: Array<String>) {}\n  }\n}')).toBe('App');
    // A main in a comment or a string, or a method of a class that is not the entry: nothing to say.
    expect(kotlinMainClass('main.kt', '// fun main() {}\nval s = "fun main()"')).toBeUndefined();
    expect(kotlinMainClass('main.kt', 'class A { fun f() = 1 }')).toBeUndefined();
  });

  it('Scala: an object that extends App or has def main, in its package', () => {
    expect(scalaMainClass('main.scala', 'object FizzBuzz extends App {\n  println(1)\n}')).toBe('FizzBuzz');
    expect(scalaMainClass('main.scala', 'package p\n\nclass Helper { def f = 1 }\nobject Solution {\n  def main(args: Array[String]): Unit = {}\n}')).toBe('p.Solution');
    expect(scalaMainClass('main.scala', 'class Main { def main(args: Array[String]) = () }')).toBeUndefined();
  });

  it('reads a megabyte of nested braces in one pass', () => {
    const big = `object X {\n${'{'.repeat(500_000)}${'}'.repeat(500_000)}\ndef main(a: Array[String]) = ()\n}`;
    const t = process.hrtime.bigint();
    expect(scalaMainClass('main.scala', big)).toBe('X');
    expect(kotlinMainClass('main.kt', big)).toBeUndefined();
    // Linear: well under a second (a backtracking regex would take minutes).
    expect(Number(process.hrtime.bigint() - t) / 1e9).toBeLessThan(5);
  });
});

describe('pasted programs in the sandbox', () => {
  const ctx = useEngine();
  const available = (id: string) => ctx.engine.languages.unavailableReason(ctx.engine.languages.get(id)) === null || CI;

  it('Kotlin: `object FizzBuzz { @JvmStatic fun main }` and a `fun main` in Hello.kt run', async () => {
    if (!available('kotlin')) return;
    const obj = await runCode(ctx.engine, 'kotlin', 'object FizzBuzz {\n    @JvmStatic\n    fun main(args: Array<String>) {\n        println("object " + args.size)\n    }\n}\n');
    expect(obj.run?.status, obj.run?.stderr.toString()).toBe('ok');
    expect(out(obj)).toBe('object 0\n');
    const named = await runCode(ctx.engine, 'kotlin', 'fun main() {\n    println("from HelloKt")\n}\n', { file: 'Hello.kt' });
    expect(named.run?.status, named.run?.stderr.toString()).toBe('ok');
    expect(out(named)).toBe('from HelloKt\n');
  });

  it('Scala: `object FizzBuzz extends App` runs', async () => {
    if (!available('scala')) return;
    const r = await runCode(ctx.engine, 'scala', 'object FizzBuzz extends App {\n  for (i <- 1 to 5) println(if (i % 3 == 0) "Fizz" else if (i % 5 == 0) "Buzz" else i.toString)\n}\n');
    expect(r.run?.status, r.run?.stderr.toString()).toBe('ok');
    expect(out(r)).toBe('1\n2\nFizz\n4\nBuzz\n');
  });

  it('C#: a `static void Main` in any class and namespace, in main.cs, runs (mcs does not care about names)', async () => {
    if (!available('csharp')) return;
    const src = 'using System;\nnamespace Acme.Tools {\n    public class FizzBuzz {\n        public static void Main(string[] args) {\n            Console.WriteLine("FizzBuzz " + args.Length);\n        }\n    }\n}\n';
    const r = await runCode(ctx.engine, 'csharp', src, { args: ['x'] });
    expect(r.run?.status, r.compile?.stdout.toString()).toBe('ok');
    expect(out(r)).toBe('FizzBuzz 1\n');
  });

  it('Groovy: a file with `class FizzBuzz { static void main }` only runs that class', async () => {
    if (!available('groovy')) return;
    const r = await runCode(ctx.engine, 'groovy', 'class FizzBuzz {\n    static void main(String[] args) {\n        println "class FizzBuzz"\n    }\n}\n');
    expect(r.run?.status, r.run?.stderr.toString()).toBe('ok');
    expect(out(r)).toBe('class FizzBuzz\n');
  });

  // The quick ones (not the JVM compilers, Nim or Crystal: their self-tests run once, in
  // more-languages.test.ts): each self-test pasted from a Windows editor with a shebang on top.
  const slow = new Set(['kotlin', 'scala', 'nim', 'crystal', 'clojure', 'groovy']);
  for (const def of MORE_LANGUAGES.filter((d) => !slow.has(d.id))) {
    it(`${def.id}: a UTF-8 BOM, CRLF line ends and a shebang line do not break it`, async () => {
      if (!available(def.id)) return;
      const source = `\uFEFF#!/usr/bin/env ${def.id}\n${def.selfTest.source}`.replaceAll('\n', '\r\n');
      const r = await runCode(ctx.engine, def.id, source, { stdin: def.selfTest.stdin, args: def.selfTest.args });
      expect(r.compile?.status ?? 'ok', r.compile?.stderr.toString()).toBe('ok');
      expect(r.run?.status, r.run?.stderr.toString()).toBe('ok');
      expect(out(r)).toBe(def.selfTest.expected);
    });
  }
});
