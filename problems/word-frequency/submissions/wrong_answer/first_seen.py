# Wrong: on a tie, reports the word seen first in the text instead of the alphabetically first.
import sys
from collections import Counter

counts = Counter(sys.stdin.read().split())
word, count = max(counts.items(), key=lambda item: item[1])
print(word, count)
