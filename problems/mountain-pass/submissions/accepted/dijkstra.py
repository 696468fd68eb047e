import heapq
import sys

data = sys.stdin.read().split()
h, w = int(data[0]), int(data[1])
cost = [int(ch) for row in data[2 : 2 + h] for ch in row]
n = h * w
dist = [-1] * n
heap = [(0, 0)]
while heap:
    d, u = heapq.heappop(heap)
    if dist[u] >= 0:
        continue
    dist[u] = d
    r, c = divmod(u, w)
    if r > 0 and dist[u - w] < 0:
        heapq.heappush(heap, (d + cost[u - w], u - w))
    if r + 1 < h and dist[u + w] < 0:
        heapq.heappush(heap, (d + cost[u + w], u + w))
    if c > 0 and dist[u - 1] < 0:
        heapq.heappush(heap, (d + cost[u - 1], u - 1))
    if c + 1 < w and dist[u + 1] < 0:
        heapq.heappush(heap, (d + cost[u + 1], u + 1))
print(dist[n - 1])
