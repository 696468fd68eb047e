# Too slow: steps x up by 1e-7 until x^x reaches y (over 1e8 steps for y = 1e15).
import math

t = int(input())
for _ in range(t):
    target = math.log(int(input()))
    x = 1.0
    while x * math.log(x) < target:
        x += 1e-7
    print(f'{x:.9f}')
