"""Writes data/sample and data/secret for self-power. Run from the package folder: python3 generators/gen.py"""
import math
import os
import random

random.seed(2026112903)


def solve(y):
    lo, hi = 1.0, 20.0
    target = math.log(y)
    for _ in range(200):
        mid = (lo + hi) / 2
        if mid * math.log(mid) < target:
            lo = mid
        else:
            hi = mid
    return (lo + hi) / 2


def write(path, ys):
    os.makedirs(os.path.dirname(path), exist_ok=True)
    with open(path + '.in', 'w') as f:
        f.write(f'{len(ys)}\n' + ''.join(f'{y}\n' for y in ys))
    with open(path + '.ans', 'w') as f:
        f.write(''.join(f'{solve(y):.12f}\n' for y in ys))


write('data/sample/1', [4, 27, 10**10])
write('data/sample/2', [100, 2])
# Large y first: a fine-grained linear scan fails on the first secret test.
write('data/secret/01-largest', [10**15, 10**15 - 1, 999999999999989])
write('data/secret/02-random', [random.randint(1, 10**15) for _ in range(1000)])
write('data/secret/03-one', [1, 1, 2, 3])
write('data/secret/04-exact-powers', [k**k for k in range(1, 14)])
write('data/secret/05-small', list(range(1, 501)))
write('data/secret/06-log-uniform', [max(1, int(10 ** random.uniform(0, 15))) for _ in range(1000)])
