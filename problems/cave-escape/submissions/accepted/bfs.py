import sys
from collections import deque

data = sys.stdin.read().split()
r, c = int(data[0]), int(data[1])
cave = ''.join(data[2 : 2 + r])
start = cave.index('S')
dist = [-1] * (r * c)
dist[start] = 0
q = deque([start])
answer = -1
while q:
    u = q.popleft()
    if cave[u] == 'E':
        answer = dist[u]
        break
    i, j = divmod(u, c)
    for v, ok in ((u - c, i > 0), (u + c, i + 1 < r), (u - 1, j > 0), (u + 1, j + 1 < c)):
        if ok and cave[v] != '#' and dist[v] < 0:
            dist[v] = dist[u] + 1
            q.append(v)
print(answer)
