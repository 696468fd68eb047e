"""Writes data/sample and data/secret for frog-hops. Run from the package folder: python3 generators/gen.py"""
import os
import random

random.seed(2026112904)
MOD = 10**9 + 7


def solve(n, steps):
    ways = [0] * (n + 1)
    ways[0] = 1
    for i in range(1, n + 1):
        ways[i] = sum(ways[i - s] for s in steps if s <= i) % MOD
    return ways[n]


def write(path, n, steps):
    os.makedirs(os.path.dirname(path), exist_ok=True)
    with open(path + '.in', 'w') as f:
        f.write(f'{n} {len(steps)}\n{" ".join(map(str, steps))}\n')
    with open(path + '.ans', 'w') as f:
        f.write(f'{solve(n, steps)}\n')


write('data/sample/1', 4, [1, 2])
write('data/sample/2', 10, [3, 5, 2])
write('data/sample/3', 7, [4, 6])
# The largest N comes first: exponential or deeply recursive programs fail on the first secret test.
write('data/secret/01-max', 10**5, [1, 2, 3, 4, 5, 6, 7, 8, 9, 10])
write('data/secret/02-fibonacci', 10**5, [1, 2])
write('data/secret/03-one-step', 99999, [1])
write('data/secret/04-unreachable', 99999, [2, 4, 50])
write('data/secret/05-random', 87654, random.sample(range(1, 51), 10))
write('data/secret/06-long-hops', 100000, [47, 49, 50])
write('data/secret/07-small', 30, [1, 3, 7])
write('data/secret/08-too-far', 5, [6, 7])
