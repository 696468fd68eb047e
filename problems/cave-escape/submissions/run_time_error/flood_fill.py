# Crashes: first checks with a recursive flood fill whether E is reachable at all; in a large
# open cave the recursion is thousands of levels deep (RecursionError).
import sys
from collections import deque

data = sys.stdin.read().split()
r, c = int(data[0]), int(data[1])
cave = ''.join(data[2 : 2 + r])
seen = [False] * (r * c)


def fill(u):
    seen[u] = True
    i, j = divmod(u, c)
    for v, ok in ((u - c, i > 0), (u + c, i + 1 < r), (u - 1, j > 0), (u + 1, j + 1 < c)):
        if ok and cave[v] != '#' and not seen[v]:
            fill(v)


fill(cave.index('S'))
if not seen[cave.index('E')]:
    print(-1)
else:
    dist = [-1] * (r * c)
    dist[cave.index('S')] = 0
    q = deque([cave.index('S')])
    while q:
        u = q.popleft()
        i, j = divmod(u, c)
        for v, ok in ((u - c, i > 0), (u + c, i + 1 < r), (u - 1, j > 0), (u + 1, j + 1 < c)):
            if ok and cave[v] != '#' and dist[v] < 0:
                dist[v] = dist[u] + 1
                q.append(v)
    print(dist[cave.index('E')])
