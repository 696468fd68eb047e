# Square-and-multiply on the companion matrix; Python integers never overflow.
n, a, b, m = map(int, input().split())


def mul(x, y):
    return [[(x[i][0] * y[0][j] + x[i][1] * y[1][j]) % m for j in range(2)] for i in range(2)]


result, base = [[1, 0], [0, 1]], [[a, b], [1, 0]]
while n:
    if n & 1:
        result = mul(result, base)
    base = mul(base, base)
    n >>= 1
print(result[1][0] % m)
