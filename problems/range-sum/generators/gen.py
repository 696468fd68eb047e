"""Writes data/sample and data/secret for range-sum. Run from the package folder: python3 generators/gen.py"""
import os
import random

random.seed(20261129)


def solve(pairs):
    return ''.join(f'{(b - a + 1) * (a + b) // 2}\n' for a, b in pairs)


def write(path, pairs):
    os.makedirs(os.path.dirname(path), exist_ok=True)
    with open(path + '.in', 'w') as f:
        f.write(f'{len(pairs)}\n' + ''.join(f'{a} {b}\n' for a, b in pairs))
    with open(path + '.ans', 'w') as f:
        f.write(solve(pairs))


L = 10**9
write('data/sample/1', [(1, 10), (-3, 3), (5, 5)])
write('data/sample/2', [(-100, 7), (2, 999)])
# Large ranges come first: a per-tile loop fails on the first secret test.
write('data/secret/01-widest', [(-L, L), (0, L), (-L, 0), (1, L), (-L, -1)])
write('data/secret/02-random-large', [tuple(sorted(random.randint(-L, L) for _ in range(2))) for _ in range(1000)])
write('data/secret/03-single-tiles', [(x, x) for x in (random.randint(-L, L) for _ in range(200))] + [(L, L), (-L, -L), (0, 0)])
write('data/secret/04-around-zero', [(-k, k + d) for k in range(0, 100, 7) for d in range(0, 5)])
write('data/secret/05-small', [tuple(sorted(random.randint(-50, 50) for _ in range(2))) for _ in range(300)])
write('data/secret/06-near-int32', [(46340, 46341), (65535, 65537), (-65537, -1), (999999000, L)])
write('data/secret/07-max-count', [(-L, L)] * 1000)
