# Crashes: the table of base primes was sized for R <= 10^10 (sqrt 10^5); for R near 10^12 the
# sieve reads past its end (IndexError).
import math

BASE = 10**5
l, r = map(int, input().split())
base = bytearray([1]) * (BASE + 1)
seg = bytearray([1]) * (r - l + 1)
for p in range(2, math.isqrt(r) + 1):
    if not base[p]:
        continue
    base[p * p :: p] = bytes(len(range(p * p, BASE + 1, p)))
    start = max(p * p, (l + p - 1) // p * p)
    seg[start - l :: p] = bytes(len(range(start, r + 1, p)))
if l == 1:
    seg[0] = 0
print(sum(seg))
