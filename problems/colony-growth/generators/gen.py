"""Writes data/sample and data/secret for colony-growth. Run from the package folder: python3 generators/gen.py"""
import os
import random

random.seed(2026112907)


def mat_mul(x, y, m):
    return [[sum(x[i][k] * y[k][j] for k in range(2)) % m for j in range(2)] for i in range(2)]


def solve(n, a, b, m):
    result, base = [[1, 0], [0, 1]], [[a, b], [1, 0]]
    while n:
        if n & 1:
            result = mat_mul(result, base, m)
        base = mat_mul(base, base, m)
        n >>= 1
    return result[1][0] % m  # [[a_{n+1}, .], [a_n, .]] = base^n applied to (a_1, a_0)


def write(path, n, a, b, m):
    os.makedirs(os.path.dirname(path), exist_ok=True)
    with open(path + '.in', 'w') as f:
        f.write(f'{n} {a} {b} {m}\n')
    with open(path + '.ans', 'w') as f:
        f.write(f'{solve(n, a, b, m)}\n')


def rand(n_max, m_max):
    m = random.randint(m_max // 2, m_max)
    return random.randint(n_max // 2, n_max), random.randint(0, m - 1), random.randint(0, m - 1), m


write('data/sample/1', 10, 1, 1, 1000)
write('data/sample/2', 5, 2, 3, 100)
write('data/sample/3', 0, 7, 7, 10)
S, B, E = 10**6, 10**9, 10**18
g = 'data/secret/1-small-n/'
write(g + '01-max', S, 1, 1, 10**9 + 7)
write(g + '02-random', *rand(S, B))
write(g + '03-zero-b', 999999, 3, 0, B)
write(g + '04-tiny', 1, 5, 5, 7)
g = 'data/secret/2-large-n/'
write(g + '01-max', E, 1, 1, 10**9 + 7)
write(g + '02-random', *rand(E, B))
write(g + '03-random', *rand(E, B))
write(g + '04-power-of-two', 2**59, B - 1, B - 2, B)
g = 'data/secret/3-large-m/'
write(g + '01-max', E, E - 1, E - 1, E)
write(g + '02-random', *rand(E, E))
write(g + '03-random', *rand(E, E))
write(g + '04-prime-modulus', 987654321987654321, 123456789123456789, 987654321, 999999999999999989)
