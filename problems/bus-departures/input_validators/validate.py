"""Input validator (Kattis protocol): exit 42 when stdin is a valid bus-departures input, 43 otherwise."""
import re
import sys

lines = sys.stdin.read().split('\n')
try:
    assert lines[-1] == '' and re.fullmatch(r'[1-9]\d*', lines[0])
    t = int(lines[0])
    assert 1 <= t <= 1000 and len(lines) == t + 2
    for line in lines[1:-1]:
        assert re.fullmatch(r'(0|[1-9]\d*) (0|[1-9]\d*) [1-9]\d*', line)
        l, r, k = map(int, line.split())
        assert 0 <= l <= r <= 10**18 and 1 <= k <= 10**18
except (AssertionError, ValueError):
    sys.exit(43)
sys.exit(42)
