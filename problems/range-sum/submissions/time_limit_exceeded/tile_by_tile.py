# Too slow: adds the tiles one by one, up to 2e9 of them per walk.
t = int(input())
for _ in range(t):
    a, b = map(int, input().split())
    total = 0
    for x in range(a, b + 1):
        total += x
    print(total)
