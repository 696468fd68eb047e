/**
 * A starter program per language: reads a name from stdin (falls back to "world"), greets it,
 * and shows a loop, so a first Run demonstrates stdin and streaming output at once.
 */
export const STARTERS: Record<string, string> = {
  python: `import sys

name = sys.stdin.readline().strip() or "world"
print(f"Hello, {name}!")
for i in range(1, 4):
    print(f"step {i}")
`,
  javascript: `const input = require("fs").readFileSync(0, "utf8").trim();
const name = input || "world";
console.log(\`Hello, \${name}!\`);
for (let i = 1; i <= 3; i++) console.log(\`step \${i}\`);
`,
  typescript: `import { readFileSync } from "node:fs";

const name: string = readFileSync(0, "utf8").trim() || "world";
console.log(\`Hello, \${name}!\`);
for (let i = 1; i <= 3; i++) console.log(\`step \${i}\`);
`,
  java: `import java.util.Scanner;

public class Main {
    public static void main(String[] args) {
        Scanner in = new Scanner(System.in);
        String name = in.hasNextLine() ? in.nextLine().trim() : "";
        if (name.isEmpty()) name = "world";
        System.out.println("Hello, " + name + "!");
        for (int i = 1; i <= 3; i++) System.out.println("step " + i);
    }
}
`,
  c: `#include <stdio.h>
#include <string.h>

int main(void) {
    char name[256] = "";
    if (!fgets(name, sizeof name, stdin) || name[0] == '\\n') strcpy(name, "world");
    name[strcspn(name, "\\n")] = 0;
    printf("Hello, %s!\\n", name);
    for (int i = 1; i <= 3; i++) printf("step %d\\n", i);
    return 0;
}
`,
  cpp: `#include <iostream>
#include <string>

int main() {
    std::string name;
    if (!std::getline(std::cin, name) || name.empty()) name = "world";
    std::cout << "Hello, " << name << "!\\n";
    for (int i = 1; i <= 3; i++) std::cout << "step " << i << "\\n";
}
`,
  php: `<?php
$name = trim((string) fgets(STDIN));
if ($name === '') $name = 'world';
echo "Hello, $name!\\n";
for ($i = 1; $i <= 3; $i++) echo "step $i\\n";
`,
  go: `package main

import (
	"bufio"
	"fmt"
	"os"
	"strings"
)

func main() {
	line, _ := bufio.NewReader(os.Stdin).ReadString('\\n')
	name := strings.TrimSpace(line)
	if name == "" {
		name = "world"
	}
	fmt.Printf("Hello, %s!\\n", name)
	for i := 1; i <= 3; i++ {
		fmt.Println("step", i)
	}
}
`,
  rust: `use std::io::{self, BufRead};

fn main() {
    let mut name = String::new();
    io::stdin().lock().read_line(&mut name).ok();
    let name = match name.trim() {
        "" => "world",
        n => n,
    };
    println!("Hello, {}!", name);
    for i in 1..=3 {
        println!("step {}", i);
    }
}
`,
  ruby: `name = ($stdin.gets || "").strip
name = "world" if name.empty?
puts "Hello, #{name}!"
(1..3).each { |i| puts "step #{i}" }
`,
  bash: `read -r name
echo "Hello, \${name:-world}!"
for i in 1 2 3; do
  echo "step $i"
done
`,
  perl: `my $name = <STDIN> // '';
chomp $name;
$name = 'world' if $name eq '';
print "Hello, $name!\n";
print "step $_\n" for 1 .. 3;
`,
  awk: `NR == 1 { name = $0 }
END {
  if (name == "") name = "world"
  print "Hello, " name "!"
  for (i = 1; i <= 3; i++) print "step " i
}
`,
  tcl: `if {[gets stdin name] <= 0} { set name world }
puts "Hello, $name!"
for {set i 1} {$i <= 3} {incr i} { puts "step $i" }
`,
};

export function starterFor(language: string): string {
  return STARTERS[language] ?? '';
}

/** The main file's name per language, as the engine expects it (and new projects get). */
export const MAIN_FILES: Record<string, string> = {
  python: 'main.py',
  javascript: 'main.js',
  typescript: 'main.ts',
  java: 'Main.java',
  c: 'main.c',
  cpp: 'main.cpp',
  php: 'main.php',
  go: 'main.go',
  rust: 'main.rs',
  ruby: 'main.rb',
  bash: 'main.sh',
  perl: 'main.pl',
  awk: 'main.awk',
  tcl: 'main.tcl',
};

/** The language of a file, from its extension (for the project editor's highlighting). */
export function languageOfPath(path: string, fallback: string): string {
  const ext = path.slice(path.lastIndexOf('.') + 1).toLowerCase();
  const byExt: Record<string, string> = {
    py: 'python',
    js: 'javascript',
    mjs: 'javascript',
    cjs: 'javascript',
    ts: 'typescript',
    java: 'java',
    c: 'c',
    h: 'c',
    cpp: 'cpp',
    cc: 'cpp',
    hpp: 'cpp',
    php: 'php',
    go: 'go',
    rs: 'rust',
    rb: 'ruby',
    sh: 'bash',
    bash: 'bash',
    pl: 'perl',
    pm: 'perl',
    awk: 'awk',
    tcl: 'tcl',
    lua: 'lua',
    kt: 'kotlin',
    scala: 'scala',
    hs: 'haskell',
    ml: 'ocaml',
    cs: 'csharp',
    ex: 'elixir',
    exs: 'elixir',
    erl: 'erlang',
    clj: 'clojure',
    rkt: 'racket',
    lisp: 'commonlisp',
    scm: 'scheme',
    d: 'd',
    f90: 'fortran',
    f: 'fortran',
    pas: 'pascal',
    nim: 'nim',
    cr: 'crystal',
    r: 'r',
    m: 'octave',
    pro: 'prolog',
    cob: 'cobol',
    cbl: 'cobol',
    adb: 'ada',
    ads: 'ada',
    asm: 'assembly',
    groovy: 'groovy',
    sql: 'sql',
    fth: 'forth',
    json: 'json',
    md: 'text',
    txt: 'text',
  };
  return byExt[ext] ?? (path.includes('.') ? 'text' : fallback);
}
