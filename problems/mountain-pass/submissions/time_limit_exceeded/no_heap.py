# Too slow: Dijkstra that finds the next square by scanning all of them, O((HW)^2) = 1.6e9 steps
# on a 200 x 200 grid.
import sys

data = sys.stdin.read().split()
h, w = int(data[0]), int(data[1])
cost = [int(ch) for row in data[2 : 2 + h] for ch in row]
n = h * w
INF = float('inf')
dist = [INF] * n
done = [False] * n
dist[0] = 0
for _ in range(n):
    u = min((d, i) for i, d in enumerate(dist) if not done[i])[1]
    done[u] = True
    r, c = divmod(u, w)
    for v, ok in ((u - w, r > 0), (u + w, r + 1 < h), (u - 1, c > 0), (u + 1, c + 1 < w)):
        if ok and dist[u] + cost[v] < dist[v]:
            dist[v] = dist[u] + cost[v]
print(dist[n - 1])
