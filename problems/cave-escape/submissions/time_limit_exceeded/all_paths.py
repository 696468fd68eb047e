# Too slow: a depth-first search over every simple path (explicit stack, so no recursion limit),
# keeping the shortest. An open cave has astronomically many paths.
import sys

data = sys.stdin.read().split()
r, c = int(data[0]), int(data[1])
cave = ''.join(data[2 : 2 + r])
start = cave.index('S')
best = -1
on_path = [False] * (r * c)
stack = [(start, 0, 0)]  # (cell, steps, next direction to try)
on_path[start] = True
while stack:
    u, steps, k = stack.pop()
    if cave[u] == 'E':
        if best < 0 or steps < best:
            best = steps
        on_path[u] = False
        continue
    if k == 4:
        on_path[u] = False
        continue
    stack.append((u, steps, k + 1))
    i, j = divmod(u, c)
    v, ok = ((u - c, i > 0), (u + c, i + 1 < r), (u - 1, j > 0), (u + 1, j + 1 < c))[k]
    if ok and cave[v] != '#' and not on_path[v]:
        on_path[v] = True
        stack.append((v, steps + 1, 0))
print(best)
