"""Input validator (Kattis protocol): exit 42 when stdin is a valid village-roads input, 43 otherwise."""
import re
import sys

lines = sys.stdin.read().split('\n')
try:
    assert len(lines) == 3 and lines[2] == '' and re.fullmatch(r'[1-9]\d*', lines[0])
    n = int(lines[0])
    assert 1 <= n <= 10**4
    assert re.fullmatch(r'([1-9]\d*( [1-9]\d*)*)?', lines[1])
    parents = list(map(int, lines[1].split()))
    assert len(parents) == n - 1 and all(1 <= p < i for i, p in enumerate(parents, start=2))
except (AssertionError, ValueError):
    sys.exit(43)
sys.exit(42)
