# Too slow: a breadth-first search from every village, O(N^2) = 1e8 steps in Python.
import sys
from collections import deque

data = list(map(int, sys.stdin.read().split()))
n = data[0]
adj = [[] for _ in range(n + 1)]
for i, p in enumerate(data[1:], start=2):
    adj[i].append(p)
    adj[p].append(i)
total = 0
for s in range(1, n + 1):
    dist = [-1] * (n + 1)
    dist[s] = 0
    q = deque([s])
    while q:
        u = q.popleft()
        for v in adj[u]:
            if dist[v] < 0:
                dist[v] = dist[u] + 1
                total += dist[v]
                q.append(v)
print(total // 2)
