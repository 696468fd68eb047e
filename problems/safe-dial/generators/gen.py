"""Writes data/sample and data/secret for safe-dial: each .in is `N x` (read by the interactor
only); the .ans repeats x. Run from the package folder: python3 generators/gen.py"""
import os
import random

random.seed(2026112906)


def write(path, n, x):
    os.makedirs(os.path.dirname(path), exist_ok=True)
    with open(path + '.in', 'w') as f:
        f.write(f'{n} {x}\n')
    with open(path + '.ans', 'w') as f:
        f.write(f'{x}\n')


B = 10**9
write('data/sample/1', 10, 6)
write('data/sample/2', 1, 1)
write('data/secret/01-max-last', B, B)
write('data/secret/02-max-first', B, 1)
write('data/secret/03-random', B, random.randint(1, B))
write('data/secret/04-random', B, random.randint(1, B))
write('data/secret/05-one', 1, 1)
write('data/secret/06-two', 2, 2)
write('data/secret/07-power-of-two', 2**29, 2**29 - 1)
write('data/secret/08-small', 1000, 777)
write('data/secret/09-middle', B, B // 2)
write('data/secret/10-near-max', 999999999, 999999998)
