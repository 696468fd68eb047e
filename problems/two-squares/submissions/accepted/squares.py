import math

n = int(input())
for a in range(math.isqrt(n // 2) + 1):
    b = math.isqrt(n - a * a)
    if a * a + b * b == n:
        print(b, a)  # any order is fine
        break
else:
    print('impossible')
