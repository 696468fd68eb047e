# Crashes: one recursion level per tile exceeds Python's recursion limit (RecursionError).
def walk(a, b):
    return 0 if a > b else a + walk(a + 1, b)


t = int(input())
for _ in range(t):
    a, b = map(int, input().split())
    print(walk(a, b))
