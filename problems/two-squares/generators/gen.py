"""Writes data/sample and data/secret for two-squares. Run from the package folder: python3 generators/gen.py

The .ans files hold one valid pair (the one with the smallest a) or `impossible`; the output
validator accepts any valid pair."""
import math
import os
import random

random.seed(2026112905)


def solve(n):
    for a in range(math.isqrt(n // 2) + 1):
        b = math.isqrt(n - a * a)
        if a * a + b * b == n:
            return f'{a} {b}'
    return 'impossible'


def write(path, n):
    os.makedirs(os.path.dirname(path), exist_ok=True)
    with open(path + '.in', 'w') as f:
        f.write(f'{n}\n')
    with open(path + '.ans', 'w') as f:
        f.write(solve(n) + '\n')


write('data/sample/1', 25)
write('data/sample/2', 3)
write('data/sample/3', 9)
# The first secret test needs the whole search (no pair): quadratic searches fail on it.
write('data/secret/01-max-impossible', 9999999999)
write('data/secret/02-max', 10**10)
write('data/secret/03-zero', 0)
write('data/secret/04-square-only', 99991**2)   # a prime 3 mod 4, squared: only 0^2 + 99991^2
write('data/secret/05-prime-1-mod-4', 9999999929)
write('data/secret/06-many-ways', 5**2 * 13**2 * 17**2 * 29 * 37)
write('data/secret/07-random', random.randint(10**9, 10**10))
write('data/secret/08-one', 1)
write('data/secret/09-large-square', 10**10 - 2 * 10**5 + 1)  # 99999^2
write('data/secret/10-two-equal', 2 * 70710**2)
