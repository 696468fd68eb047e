# Crashes: relaxes distances with a recursive depth-first search. The corridors of a large grid
# make the recursion thousands of levels deep, past Python's limit (RecursionError).
import sys

data = sys.stdin.read().split()
h, w = int(data[0]), int(data[1])
cost = [int(ch) for row in data[2 : 2 + h] for ch in row]
dist = [float('inf')] * (h * w)


def visit(u, d):
    if d >= dist[u]:
        return
    dist[u] = d
    r, c = divmod(u, w)
    for v, ok in ((u + 1, c + 1 < w), (u + w, r + 1 < h), (u - 1, c > 0), (u - w, r > 0)):
        if ok:
            visit(v, d + cost[v])


visit(0, 0)
print(dist[h * w - 1])
