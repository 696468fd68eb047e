"""Input validator (Kattis protocol): exit 42 when stdin is a valid mountain-pass input, 43 otherwise."""
import re
import sys

lines = sys.stdin.read().split('\n')
try:
    m = re.fullmatch(r'([1-9]\d*) ([1-9]\d*)', lines[0])
    assert m
    h, w = int(m[1]), int(m[2])
    assert 1 <= h <= 200 and 1 <= w <= 200 and len(lines) == h + 2 and lines[-1] == ''
    assert all(re.fullmatch(f'[1-9]{{{w}}}', row) for row in lines[1:-1])
except (AssertionError, ValueError):
    sys.exit(43)
sys.exit(42)
