"""Output validator for two-squares (Kattis protocol).

Invoked as `validate.py input answer feedback_dir < team_output`. Exits 42 (accepted) or 43 (wrong
answer) and writes its reason to feedback_dir/judgemessage.txt (and stderr). Any pair of
non-negative integers with a^2 + b^2 = N is right; `impossible` is right only when the judge's
answer says so (a correct pair from the team would prove the judge wrong: that is a judge error).
"""
import os
import re
import sys


def verdict(code, message):
    try:
        with open(os.path.join(sys.argv[3], 'judgemessage.txt'), 'a') as f:
            f.write(message + '\n')
    except OSError:
        pass  # the feedback folder is optional for us; the message also goes to stderr
    print(message, file=sys.stderr)
    sys.exit(code)


with open(sys.argv[1]) as f:
    n = int(f.read().split()[0])
with open(sys.argv[2]) as f:
    judge_impossible = f.read().split()[0] == 'impossible'

tokens = sys.stdin.buffer.read(1 << 16).split()
if not tokens:
    verdict(43, 'empty output')
if tokens[0].lower() == b'impossible':
    if len(tokens) != 1:
        verdict(43, 'extra output after "impossible"')
    if judge_impossible:
        verdict(42, 'correctly says impossible')
    verdict(43, f'says impossible, but {n} is a sum of two squares')
if len(tokens) != 2 or not all(re.fullmatch(rb'\d{1,12}', t) for t in tokens):
    verdict(43, 'expected two non-negative integers or "impossible"')
a, b = int(tokens[0]), int(tokens[1])
if a * a + b * b != n:
    verdict(43, f'{a}^2 + {b}^2 = {a * a + b * b}, not {n}')
if judge_impossible:
    print(f'judge error: the answer file says impossible, but {a}^2 + {b}^2 = {n}', file=sys.stderr)
    sys.exit(1)
verdict(42, f'{a}^2 + {b}^2 = {n}')
