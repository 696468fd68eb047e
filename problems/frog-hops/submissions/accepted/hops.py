MOD = 10**9 + 7
n, k = map(int, input().split())
steps = list(map(int, input().split()))
ways = [1] + [0] * n
for i in range(1, n + 1):
    ways[i] = sum(ways[i - s] for s in steps if s <= i) % MOD
print(ways[n])
