"""Input validator (Kattis protocol): exit 42 when stdin is a valid frog-hops input, 43 otherwise."""
import re
import sys

text = sys.stdin.read()
try:
    m = re.fullmatch(r'([1-9]\d*) ([1-9]\d*)\n([1-9]\d*(?: [1-9]\d*)*)\n', text)
    assert m
    n, k = int(m[1]), int(m[2])
    steps = list(map(int, m[3].split()))
    assert 1 <= n <= 10**5 and 1 <= k <= 10 and len(steps) == k and len(set(steps)) == k
    assert all(1 <= s <= 50 for s in steps)
except (AssertionError, ValueError):
    sys.exit(43)
sys.exit(42)
