# Wrong: starts the search at a = 1, forgetting the one-bed answer 0^2 + b^2 (N = 9, 0, 99991^2).
import math

n = int(input())
for a in range(1, math.isqrt(n) + 1):
    b = math.isqrt(n - a * a)
    if a * a + b * b == n:
        print(a, b)
        break
else:
    print('impossible')
