"""Writes data/sample and data/secret for prime-window. Run from the package folder: python3 generators/gen.py"""
import math
import os

def base_primes(limit):
    sieve = bytearray([1]) * (limit + 1)
    sieve[0:2] = b'\x00\x00'
    for p in range(2, math.isqrt(limit) + 1):
        if sieve[p]:
            sieve[p * p :: p] = bytes(len(range(p * p, limit + 1, p)))
    return [p for p in range(limit + 1) if sieve[p]]


PRIMES = base_primes(10**6)


def solve(l, r):
    seg = bytearray([1]) * (r - l + 1)
    for p in PRIMES:
        if p * p > r:
            break
        start = max(p * p, (l + p - 1) // p * p)
        seg[start - l :: p] = bytes(len(range(start, r + 1, p)))
    if l <= 1:
        seg[1 - l] = 0
    return sum(seg)


def write(path, l, r):
    os.makedirs(os.path.dirname(path), exist_ok=True)
    with open(path + '.in', 'w') as f:
        f.write(f'{l} {r}\n')
    with open(path + '.ans', 'w') as f:
        f.write(f'{solve(l, r)}\n')


T, M = 10**12, 10**6
write('data/sample/1', 1, 10)
write('data/sample/2', 20, 30)
write('data/sample/3', 24, 28)
# The widest windows at the top of the range come first: per-number trial division fails there.
write('data/secret/01-top', T - M, T)
write('data/secret/02-from-one', 1, M + 1)
write('data/secret/03-one', 1, 1)
write('data/secret/04-two', 2, 2)
write('data/secret/05-middle', 123456789012, 123456789012 + M)
write('data/secret/06-narrow', 169318231874, 169318232874)
write('data/secret/07-single-prime', 999999999989, 999999999989)
write('data/secret/08-square-of-prime', 999983**2, 999983**2)
write('data/secret/09-small', 1, 100)
write('data/secret/10-below-square', 10**10 - M, 10**10)
