"""Interactor for safe-dial (Kattis interactive protocol).

Invoked as `interactor.py input answer feedback_dir`; the submission's output is our stdin and our
stdout is the submission's input. The input file holds `N x`. Exits 42 when the submission found
x within 30 questions and then printed nothing more, 43 otherwise, with the reason in
feedback_dir/judgemessage.txt (and stderr).
"""
import os
import re
import sys

MAX_QUESTIONS = 30


def verdict(code, message):
    try:
        with open(os.path.join(sys.argv[3], 'judgemessage.txt'), 'a') as f:
            f.write(message + '\n')
    except OSError:
        pass
    print(message, file=sys.stderr)
    sys.exit(code)


def send(line):
    try:
        sys.stdout.write(line + '\n')
        sys.stdout.flush()
    except BrokenPipeError:
        # The submission exited early and closed our stdout: its fault, not ours. Point stdout at
        # /dev/null so that the interpreter's final flush cannot fail (exit 120) after verdict().
        os.dup2(os.open(os.devnull, os.O_WRONLY), sys.stdout.fileno())
        verdict(43, 'the submission stopped reading')


with open(sys.argv[1]) as f:
    n, x = map(int, f.read().split())

send(str(n))
for asked in range(1, MAX_QUESTIONS + 1):
    line = sys.stdin.readline(100)  # bounded: a valid question is short
    if line == '':
        verdict(43, f'the submission ended after {asked - 1} questions without finding the number')
    m = re.fullmatch(r'\? (-?\d{1,12})\n?', line)
    if not m:
        verdict(43, f'question {asked}: expected "? y", got {line[:40]!r}')
    y = int(m[1])
    if not 1 <= y <= n:
        verdict(43, f'question {asked}: {y} is outside [1, {n}]')
    if y == x:
        send('correct')
        # Nothing but whitespace may follow; read in chunks so that a flood is not kept in memory.
        while chunk := sys.stdin.read(4096):
            if chunk.strip():
                verdict(43, f'output after "correct": {chunk.strip()[:40]!r}')
        verdict(42, f'found {x} with {asked} questions')
    send('higher' if x > y else 'lower')
verdict(43, f'no correct guess within {MAX_QUESTIONS} questions')
