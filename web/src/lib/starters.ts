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
`,  // The languages of `make languages` (checked through the sandbox when they were written;
  // assembly, SQL and Forth greet the world without reading stdin).
  lua: `local name = io.read("l")
if name == nil or name == "" then name = "world" end
print("Hello, " .. name .. "!")
for i = 1, 3 do print("step " .. i) end
`,
  kotlin: `fun main() {
    val name = readLine()?.trim()?.ifEmpty { null } ?: "world"
    println("Hello, $name!")
    for (i in 1..3) println("step $i")
}
`,
  scala: `object Main extends App {
  val line = scala.io.StdIn.readLine()
  val name = if (line == null || line.trim.isEmpty) "world" else line.trim
  println(s"Hello, $name!")
  for (i <- 1 to 3) println(s"step $i")
}
`,
  haskell: `import System.IO

main :: IO ()
main = do
  eof <- isEOF
  line <- if eof then return "" else getLine
  let name = if null line then "world" else line
  putStrLn ("Hello, " ++ name ++ "!")
  mapM_ (\\i -> putStrLn ("step " ++ show i)) [1 .. 3 :: Int]
`,
  ocaml: `let () =
  let name = try match String.trim (input_line stdin) with "" -> "world" | s -> s with End_of_file -> "world" in
  Printf.printf "Hello, %s!\\n" name;
  for i = 1 to 3 do Printf.printf "step %d\\n" i done
`,
  csharp: `using System;

class Program {
    static void Main() {
        string name = Console.ReadLine()?.Trim();
        if (string.IsNullOrEmpty(name)) name = "world";
        Console.WriteLine($"Hello, {name}!");
        for (int i = 1; i <= 3; i++) Console.WriteLine($"step {i}");
    }
}
`,
  elixir: `name =
  case IO.gets("") do
    :eof -> "world"
    line -> if String.trim(line) == "", do: "world", else: String.trim(line)
  end

IO.puts("Hello, #{name}!")
for i <- 1..3, do: IO.puts("step #{i}")
`,
  erlang: `main(_) ->
    Name = case io:get_line("") of
        eof -> "world";
        Line -> case string:trim(Line) of "" -> "world"; N -> N end
    end,
    io:format("Hello, ~s!~n", [Name]),
    [io:format("step ~p~n", [I]) || I <- lists:seq(1, 3)].
`,
  clojure: `(require '[clojure.string :as str])
(let [line (read-line)
      name (if (str/blank? line) "world" (str/trim line))]
  (println (str "Hello, " name "!"))
  (doseq [i (range 1 4)] (println (str "step " i))))
`,
  racket: `#lang racket/base
(define line (read-line))
(define name (if (or (eof-object? line) (string=? line "")) "world" line))
(printf "Hello, ~a!\\n" name)
(for ([i (in-range 1 4)]) (printf "step ~a\\n" i))
`,
  commonlisp: `(let* ((line (read-line *standard-input* nil ""))
       (name (if (string= line "") "world" line)))
  (format t "Hello, ~a!~%" name)
  (loop for i from 1 to 3 do (format t "step ~a~%" i)))
`,
  scheme: `(use-modules (ice-9 rdelim))
(define line (read-line))
(define name (if (or (eof-object? line) (string-null? line)) "world" line))
(format #t "Hello, ~a!~%" name)
(do ((i 1 (+ i 1))) ((> i 3)) (format #t "step ~a~%" i))
`,
  d: `import std.stdio, std.string;

void main() {
    auto line = readln();
    string name = line is null || line.strip().length == 0 ? "world" : line.strip().idup;
    writeln("Hello, ", name, "!");
    foreach (i; 1 .. 4) writeln("step ", i);
}
`,
  fortran: `program main
  implicit none
  character(len=100) :: name
  integer :: i, ios
  read (*, '(A)', iostat=ios) name
  if (ios /= 0 .or. len_trim(name) == 0) name = 'world'
  print '(A)', 'Hello, ' // trim(name) // '!'
  do i = 1, 3
    print '(A,I0)', 'step ', i
  end do
end program main
`,
  pascal: `program Main;
var
  name: string;
  i: integer;
begin
  name := '';
  if not eof then readln(name);
  if name = '' then name := 'world';
  writeln('Hello, ', name, '!');
  for i := 1 to 3 do writeln('step ', i);
end.
`,
  nim: `import std/strutils

var name = ""
try:
  name = stdin.readLine().strip()
except EOFError:
  discard
if name.len == 0: name = "world"
echo "Hello, ", name, "!"
for i in 1..3:
  echo "step ", i
`,
  crystal: `line = gets
name = line.nil? || line.strip.empty? ? "world" : line.strip
puts "Hello, #{name}!"
(1..3).each { |i| puts "step #{i}" }
`,
  r: `con <- file("stdin")
line <- readLines(con, n = 1)
close(con)
name <- if (length(line) == 0 || line == "") "world" else line
cat("Hello, ", name, "!\\n", sep = "")
for (i in 1:3) cat("step ", i, "\\n", sep = "")
`,
  octave: `name = fgetl(stdin);
if ~ischar(name) || isempty(name)
  name = "world";
end
printf("Hello, %s!\\n", name);
for i = 1:3
  printf("step %d\\n", i);
end
`,
  prolog: `:- initialization(main, main).

main :-
    read_line_to_string(user_input, Line),
    ( (Line == end_of_file ; Line == "") -> Name = "world" ; Name = Line ),
    format("Hello, ~w!~n", [Name]),
    forall(between(1, 3, I), format("step ~w~n", [I])).
`,
  cobol: `IDENTIFICATION DIVISION.
PROGRAM-ID. MAIN.
DATA DIVISION.
WORKING-STORAGE SECTION.
01 WS-NAME PIC X(64) VALUE SPACES.
01 WS-I PIC 9.
PROCEDURE DIVISION.
    ACCEPT WS-NAME
    IF WS-NAME = SPACES
        MOVE "world" TO WS-NAME
    END-IF
    DISPLAY "Hello, " FUNCTION TRIM(WS-NAME) "!"
    PERFORM VARYING WS-I FROM 1 BY 1 UNTIL WS-I > 3
        DISPLAY "step " WS-I
    END-PERFORM
    STOP RUN.
`,
  ada: `with Ada.Text_IO; use Ada.Text_IO;

procedure Main is
   function Name return String is
   begin
      if End_Of_File then
         return "world";
      end if;
      declare
         Line : constant String := Get_Line;
      begin
         return (if Line = "" then "world" else Line);
      end;
   end Name;
begin
   Put_Line ("Hello, " & Name & "!");
   for I in 1 .. 3 loop
      Put_Line ("step" & Integer'Image (I));
   end loop;
end Main;
`,
  assembly: `; x86-64 Linux, system calls only (a program with \`global main\` is linked with the C library)
        global _start
        section .data
msg:    db "Hello, world!", 10, "step 1", 10, "step 2", 10, "step 3", 10
len     equ $ - msg
        section .text
_start: mov eax, 1              ; write(1, msg, len)
        mov edi, 1
        mov rsi, msg
        mov edx, len
        syscall
        mov eax, 60             ; exit(0)
        xor edi, edi
        syscall
`,
  groovy: `def line = System.in.newReader().readLine()?.trim()
def name = line ?: 'world'
println "Hello, $name!"
(1..3).each { println "step $it" }
`,
  objectivec: `#import <objc/Object.h>
#include <stdio.h>
#include <string.h>

@interface Greeter : Object
+ (void)greet:(const char *)name;
@end

@implementation Greeter
+ (void)greet:(const char *)name { printf("Hello, %s!\\n", name); }
@end

int main(void) {
  char name[100] = "";
  if (!fgets(name, sizeof name, stdin) || name[0] == '\\n') strcpy(name, "world");
  name[strcspn(name, "\\n")] = 0;
  [Greeter greet:name];
  for (int i = 1; i <= 3; i++) printf("step %d\\n", i);
  return 0;
}
`,
  sql: `-- A fresh SQLite database per run; stdin can be loaded with .import
CREATE TABLE steps(i INTEGER);
INSERT INTO steps VALUES (1), (2), (3);
SELECT 'Hello, world!';
SELECT 'step ' || i FROM steps ORDER BY i;
`,
  forth: `: main
  ." Hello, world!" cr
  4 1 do ." step " i 0 .r cr loop ;
main
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
  lua: 'main.lua',
  kotlin: 'main.kt',
  scala: 'main.scala',
  haskell: 'main.hs',
  ocaml: 'main.ml',
  csharp: 'main.cs',
  elixir: 'main.exs',
  erlang: 'main.erl',
  clojure: 'main.clj',
  racket: 'main.rkt',
  commonlisp: 'main.lisp',
  scheme: 'main.scm',
  d: 'main.d',
  fortran: 'main.f90',
  pascal: 'main.pas',
  nim: 'main.nim',
  crystal: 'main.cr',
  r: 'main.R',
  octave: 'main.m',
  prolog: 'main.pl',
  cobol: 'main.cob',
  ada: 'main.adb',
  assembly: 'main.asm',
  groovy: 'main.groovy',
  objectivec: 'main.m',
  sql: 'main.sql',
  forth: 'main.fth',
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
