"""Writes data/sample and data/secret for mountain-pass. Run from the package folder: python3 generators/gen.py"""
import heapq
import os
import random

random.seed(2026112910)


def solve(grid):
    h, w = len(grid), len(grid[0])
    dist = [[None] * w for _ in range(h)]
    heap = [(0, 0, 0)]
    while heap:
        d, r, c = heapq.heappop(heap)
        if dist[r][c] is not None:
            continue
        dist[r][c] = d
        for nr, nc in ((r + 1, c), (r - 1, c), (r, c + 1), (r, c - 1)):
            if 0 <= nr < h and 0 <= nc < w and dist[nr][nc] is None:
                heapq.heappush(heap, (d + int(grid[nr][nc]), nr, nc))
    return dist[h - 1][w - 1]


def write(path, grid):
    os.makedirs(os.path.dirname(path), exist_ok=True)
    with open(path + '.in', 'w') as f:
        f.write(f'{len(grid)} {len(grid[0])}\n' + ''.join(row + '\n' for row in grid))
    with open(path + '.ans', 'w') as f:
        f.write(f'{solve(grid)}\n')


def random_grid(h, w, digits='123456789'):
    return [''.join(random.choice(digits) for _ in range(w)) for _ in range(h)]


write('data/sample/1', ['131', '191', '111'])
write('data/sample/2', ['19111', '11191', '99991'])
write('data/sample/3', ['5'])
# Largest grids first: quadratic Dijkstra fails on the first secret test.
# Mostly cheap squares with scattered 9s: the best routes wind up and left around them.
write('data/secret/01-ones-and-nines', random_grid(200, 200, '1919199'))
write('data/secret/02-random', random_grid(200, 200))
write('data/secret/03-few-nines', random_grid(150, 200, '11119'))
write('data/secret/04-cheap-detour', random_grid(120, 150, '1899'))
write('data/secret/05-single-row', ['7' * 200])
write('data/secret/06-single-column', [str(random.randint(1, 9)) for _ in range(200)])
write('data/secret/07-one-square', ['9'])
write('data/secret/08-small', random_grid(5, 7))
