# Segmented sieve with bytearray slice assignment (the crossing out runs in C, not in Python).
import math

l, r = map(int, input().split())
lim = math.isqrt(r)
base = bytearray([1]) * (lim + 1)
seg = bytearray([1]) * (r - l + 1)
for p in range(2, lim + 1):
    if not base[p]:
        continue
    base[p * p :: p] = bytes(len(range(p * p, lim + 1, p)))
    start = max(p * p, (l + p - 1) // p * p)
    seg[start - l :: p] = bytes(len(range(start, r + 1, p)))
if l == 1:
    seg[0] = 0
print(sum(seg))
