import sys

data = list(map(int, sys.stdin.read().split()))
n, parent = data[0], [0, 0] + data[1:]
size = [1] * (n + 1)
total = 0
for i in range(n, 1, -1):
    total += size[i] * (n - size[i])
    size[parent[i]] += size[i]
print(total)
