# Crashes: counts in a table indexed by the word read as a base-27 number, sized for words of at
# most 4 letters; a longer word indexes past the end (IndexError).
import sys

counts = [0] * 27**4


def index(w):
    i = 0
    for ch in w:
        i = i * 27 + (ord(ch) - 96)
    return i


words = sys.stdin.read().split()
for w in words:
    counts[index(w)] += 1
best = min(set(words), key=lambda w: (-counts[index(w)], w))
print(best, counts[index(best)])
