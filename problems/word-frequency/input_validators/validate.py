"""Input validator (Kattis protocol): exit 42 when stdin is a valid word-frequency input, 43 otherwise."""
import re
import sys

text = sys.stdin.read()
ok = re.fullmatch(r'([a-z]{1,20}( [a-z]{1,20})*\n)+', text) is not None and len(text.split()) <= 10**4
sys.exit(42 if ok else 43)
