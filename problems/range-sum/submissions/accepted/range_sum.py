import sys

data = sys.stdin.read().split()
t = int(data[0])
out = []
for i in range(t):
    a, b = int(data[1 + 2 * i]), int(data[2 + 2 * i])
    out.append((b - a + 1) * (a + b) // 2)
print('\n'.join(map(str, out)))
