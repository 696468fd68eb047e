"""Input validator (Kattis protocol): exit 42 when stdin is a valid colony-growth input, 43 otherwise.

Checks the full problem's constraints; the subtask bounds are documented in each group's
test_group.yaml."""
import re
import sys

m = re.fullmatch(r'(0|[1-9]\d*) (0|[1-9]\d*) (0|[1-9]\d*) ([1-9]\d*)\n', sys.stdin.read())
ok = bool(m)
if ok:
    n, a, b, mod = map(int, m.groups())
    ok = n <= 10**18 and 2 <= mod <= 10**18 and a < mod and b < mod
sys.exit(42 if ok else 43)
