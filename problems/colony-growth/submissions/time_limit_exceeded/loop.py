# Too slow: walks the generations one by one, O(N). Enough for subtask 1 (N <= 10^6) but hopeless
# for N = 10^18, so its verdict is TLE (with subtask 1's 20 points).
n, a, b, m = map(int, input().split())
prev, cur = 0, 1 % m
for _ in range(n - 1):
    prev, cur = cur, (a * cur + b * prev) % m
print(cur if n > 0 else 0)
