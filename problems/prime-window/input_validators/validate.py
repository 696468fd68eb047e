"""Input validator (Kattis protocol): exit 42 when stdin is a valid prime-window input, 43 otherwise."""
import re
import sys

m = re.fullmatch(r'([1-9]\d*) ([1-9]\d*)\n', sys.stdin.read())
sys.exit(42 if m and int(m[1]) <= int(m[2]) <= 10**12 and int(m[2]) - int(m[1]) <= 10**6 else 43)
