# Crashes: computes subtree sizes with a recursive DFS; on a path of 10^4 villages the recursion
# is 10^4 deep, past Python's limit of 1000 (RecursionError).
import sys

data = list(map(int, sys.stdin.read().split()))
n = data[0]
children = [[] for _ in range(n + 1)]
for i, p in enumerate(data[1:], start=2):
    children[p].append(i)
total = 0


def size_of(u):
    global total
    s = 1
    for c in children[u]:
        cs = size_of(c)
        total += cs * (n - cs)
        s += cs
    return s


size_of(1)
print(total)
