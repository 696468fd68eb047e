# Wrong: starts the recurrence at a_0 = 1, a_1 = 1 (the "other" Fibonacci convention).
n, a, b, m = map(int, input().split())


def mul(x, y):
    return [[(x[i][0] * y[0][j] + x[i][1] * y[1][j]) % m for j in range(2)] for i in range(2)]


result, base = [[1, 0], [0, 1]], [[a, b], [1, 0]]
k = n
while k:
    if k & 1:
        result = mul(result, base)
    base = mul(base, base)
    k >>= 1
print((result[1][0] + result[1][1]) % m)
