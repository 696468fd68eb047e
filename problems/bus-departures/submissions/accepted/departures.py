import sys

data = list(map(int, sys.stdin.read().split()))
out = []
for i in range(data[0]):
    l, r, k = data[1 + 3 * i : 4 + 3 * i]
    out.append(r // k - (l - 1) // k)  # Python's // floors, so (0 - 1) // k is -1
print('\n'.join(map(str, out)))
