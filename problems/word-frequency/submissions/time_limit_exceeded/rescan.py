# Too slow: counts each word by scanning the whole text again, O(n^2) = 1e8 comparisons.
import sys

words = sys.stdin.read().split()
best, top = '', 0
for w in words:
    c = 0
    for other in words:
        if other == w:
            c += 1
    if c > top or (c == top and w < best):
        best, top = w, c
print(best, top)
