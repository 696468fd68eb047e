# Too slow: walks the timetable departure by departure (1e18 of them when K = 1).
t = int(input())
for _ in range(t):
    l, r, k = map(int, input().split())
    first = (l + k - 1) // k * k
    n = 0
    for _ in range(first, r + 1, k):
        n += 1
    print(n)
