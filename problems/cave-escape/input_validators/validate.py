"""Input validator (Kattis protocol): exit 42 when stdin is a valid cave-escape input, 43 otherwise."""
import re
import sys

lines = sys.stdin.read().split('\n')
try:
    m = re.fullmatch(r'([1-9]\d*) ([1-9]\d*)', lines[0])
    assert m
    r, c = int(m[1]), int(m[2])
    assert 1 <= r <= 200 and 1 <= c <= 200 and len(lines) == r + 2 and lines[-1] == ''
    assert all(re.fullmatch(f'[.#SE]{{{c}}}', row) for row in lines[1:-1])
    cave = ''.join(lines[1:-1])
    assert cave.count('S') == 1 and cave.count('E') == 1
except (AssertionError, ValueError):
    sys.exit(43)
sys.exit(42)
