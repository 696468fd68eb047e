"""Writes data/sample and data/secret for bus-departures. Run from the package folder: python3 generators/gen.py"""
import os
import random

random.seed(2026112902)


def count(l, r, k):
    return r // k - (l - 1) // k  # floor division: (0 - 1) // k == -1 counts minute 0


def write(path, qs):
    os.makedirs(os.path.dirname(path), exist_ok=True)
    with open(path + '.in', 'w') as f:
        f.write(f'{len(qs)}\n' + ''.join(f'{l} {r} {k}\n' for l, r, k in qs))
    with open(path + '.ans', 'w') as f:
        f.write(''.join(f'{count(*q)}\n' for q in qs))


E = 10**18
write('data/sample/1', [(0, 10, 5), (3, 9, 4), (11, 14, 5)])
write('data/sample/2', [(7, 7, 7), (1, 100, 1)])
# Huge windows first: walking the timetable fails on the first secret test.
write('data/secret/01-huge', [(0, E, 1), (1, E, 1), (0, E, E), (E, E, 1), (0, E, 3)])
write('data/secret/02-from-zero', [(0, random.randint(0, E), random.randint(1, 10**random.randint(0, 18))) for _ in range(300)])
write('data/secret/03-random', [(*sorted(random.randint(0, E) for _ in range(2)), random.randint(1, 10**random.randint(0, 18))) for _ in range(1000)])
write('data/secret/04-small', [(*sorted(random.randint(0, 60) for _ in range(2)), random.randint(1, 12)) for _ in range(500)])
write('data/secret/05-none', [(k * 5 + 1, k * 5 + 4, 5) for k in range(100)] + [(1, E - 1, E)])
write('data/secret/06-k-larger', [(0, 5, E), (1, 5, E), (E - 1, E, E), (0, 0, 1), (0, 0, E)])
