# Crashes: memoised recursion is fast enough, but one call per stone goes 1e5 deep, past
# Python's recursion limit (RecursionError).
from functools import lru_cache

n, k = map(int, input().split())
steps = list(map(int, input().split()))


@lru_cache(maxsize=None)
def ways(i):
    if i == 0:
        return 1
    return sum(ways(i - s) for s in steps if s <= i) % (10**9 + 7)


print(ways(n))
