# Crashes: memoised recursion, one level per generation; N = 10^6 is far past Python's recursion
# limit (RecursionError).
from functools import lru_cache

n, a, b, m = map(int, input().split())


@lru_cache(maxsize=None)
def colony(k):
    if k < 2:
        return k % m
    return (a * colony(k - 1) + b * colony(k - 2)) % m


print(colony(n))
