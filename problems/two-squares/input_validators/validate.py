"""Input validator (Kattis protocol): exit 42 when stdin is a valid two-squares input, 43 otherwise."""
import re
import sys

text = sys.stdin.read()
sys.exit(42 if re.fullmatch(r'(0|[1-9]\d*)\n', text) and int(text) <= 10**10 else 43)
