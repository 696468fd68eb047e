"""Writes data/sample and data/secret for village-roads. Run from the package folder: python3 generators/gen.py"""
import os
import random

random.seed(2026112909)


def solve(parents):
    n = len(parents) + 1
    size = [1] * (n + 1)
    total = 0
    for i in range(n, 1, -1):
        total += size[i] * (n - size[i])  # the road i - p_i is used by the pairs it separates
        size[parents[i - 2]] += size[i]
    return total


def write(path, parents):
    os.makedirs(os.path.dirname(path), exist_ok=True)
    with open(path + '.in', 'w') as f:
        f.write(f'{len(parents) + 1}\n{" ".join(map(str, parents))}\n')
    with open(path + '.ans', 'w') as f:
        f.write(f'{solve(parents)}\n')


N = 10**4
write('data/sample/1', [1, 1, 2])
write('data/sample/2', [1, 2, 3, 4])
write('data/sample/3', [])
# The deepest tree comes first: it is the largest answer and the deepest recursion.
write('data/secret/01-path', list(range(1, N)))
write('data/secret/02-random', [random.randint(1, i - 1) for i in range(2, N + 1)])
write('data/secret/03-star', [1] * (N - 1))
write('data/secret/04-caterpillar', [max(1, i - 1 - (i % 2)) for i in range(2, 2001)])
write('data/secret/05-binary', [i // 2 for i in range(2, 2001)])
write('data/secret/06-two', [1])
write('data/secret/07-broom', list(range(1, 1000)) + [1000] * 1000)
