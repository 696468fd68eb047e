# Crashes: Newton's method started at x = ln y; for y = 1 that is x = 0 and math.log(0) raises
# "ValueError: math domain error".
import math

t = int(input())
for _ in range(t):
    y = int(input())
    target = math.log(y)
    x = target
    for _ in range(100):
        x -= (x * math.log(x) - target) / (math.log(x) + 1)
    print(f'{x:.9f}')
