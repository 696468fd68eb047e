import math
import sys

ys = list(map(int, sys.stdin.read().split()))[1:]
out = []
for y in ys:
    target, lo, hi = math.log(y), 1.0, 20.0
    for _ in range(60):
        mid = (lo + hi) / 2
        if mid * math.log(mid) < target:
            lo = mid
        else:
            hi = mid
    out.append(f'{(lo + hi) / 2:.9f}')
print('\n'.join(out))
