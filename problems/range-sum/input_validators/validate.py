"""Input validator (Kattis protocol): exit 42 when stdin is a valid range-sum input, 43 otherwise."""
import re
import sys

lines = sys.stdin.read().split('\n')
try:
    assert lines[-1] == ''
    t = int(lines[0])
    assert 1 <= t <= 1000 and re.fullmatch(r'[1-9]\d*', lines[0])
    assert len(lines) == t + 2
    for line in lines[1:-1]:
        assert re.fullmatch(r'-?\d+ -?\d+', line)
        a, b = map(int, line.split())
        assert -10**9 <= a <= b <= 10**9
except (AssertionError, ValueError):
    sys.exit(43)
sys.exit(42)
