"""Writes data/sample and data/secret for cave-escape. Run from the package folder: python3 generators/gen.py"""
import os
import random
from collections import deque

random.seed(2026112912)


def solve(grid):
    r, c = len(grid), len(grid[0])
    cells = [(i, j) for i in range(r) for j in range(c)]
    start = next(p for p in cells if grid[p[0]][p[1]] == 'S')
    dist = {start: 0}
    q = deque([start])
    while q:
        i, j = q.popleft()
        if grid[i][j] == 'E':
            return dist[(i, j)]
        for ni, nj in ((i + 1, j), (i - 1, j), (i, j + 1), (i, j - 1)):
            if 0 <= ni < r and 0 <= nj < c and grid[ni][nj] != '#' and (ni, nj) not in dist:
                dist[(ni, nj)] = dist[(i, j)] + 1
                q.append((ni, nj))
    return -1


def write(path, grid):
    os.makedirs(os.path.dirname(path), exist_ok=True)
    with open(path + '.in', 'w') as f:
        f.write(f'{len(grid)} {len(grid[0])}\n' + ''.join(''.join(row) + '\n' for row in grid))
    with open(path + '.ans', 'w') as f:
        f.write(f'{solve(grid)}\n')


def place(grid, s, e):
    grid[s[0]][s[1]] = 'S'
    grid[e[0]][e[1]] = 'E'
    return grid


def random_cave(r, c, rock, reachable=False):
    """Random rock; with reachable=True, drawn again until E can be reached."""
    while True:
        grid = place([['#' if random.random() < rock else '.' for _ in range(c)] for _ in range(r)], (0, 0), (r - 1, c - 1))
        if not reachable or solve(grid) >= 0:
            return grid


def serpentine(r, c):
    """Walls across the cave with one gap each, at alternating ends: the only route zigzags."""
    grid = [['.'] * c for _ in range(r)]
    for i in range(1, r, 2):
        gap = c - 1 if (i // 2) % 2 == 0 else 0
        for j in range(c):
            if j != gap:
                grid[i][j] = '#'
    return place(grid, (0, 0), (r - 1, 0 if (r // 2) % 2 == 1 else c - 1))


write('data/sample/1', [list(row) for row in ['S.#', '..#', '#.E']])
write('data/sample/2', [list(row) for row in ['S#E', '.#.', '.#.']])
write('data/sample/3', [list(row) for row in ['S....', '###.#', 'E....']])
# Big open caves first: trying every path fails there, and a recursive flood fill goes deep.
write('data/secret/01-open', place([['.'] * 200 for _ in range(200)], (0, 0), (199, 199)))
write('data/secret/02-serpentine', serpentine(199, 200))
write('data/secret/03-random', random_cave(200, 200, 0.3, reachable=True))
write('data/secret/04-walled-off', place([['.'] * 100 for _ in range(50)] + [['#'] * 100] + [['.'] * 100 for _ in range(49)], (0, 50), (99, 50)))
write('data/secret/05-adjacent', place([['.', '.']], (0, 0), (0, 1)))
write('data/secret/06-one-column', place([['.'] for _ in range(200)], (199, 0), (0, 0)))
write('data/secret/07-dense', random_cave(60, 60, 0.35))
