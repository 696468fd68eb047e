#include <cstdio>
// (a_{n+1}, a_n) = [[A, B], [1, 0]]^n (a_1, a_0): O(log N) 2x2 matrix products. Products of two
// residues below M <= 1e18 need 128 bits.
typedef unsigned long long u64;
typedef unsigned __int128 u128;
u64 M;
struct Mat { u64 v[2][2]; };
Mat mul(const Mat& x, const Mat& y) {
  Mat r;
  for (int i = 0; i < 2; i++)
    for (int j = 0; j < 2; j++)
      r.v[i][j] = (u64)(((u128)x.v[i][0] * y.v[0][j] + (u128)x.v[i][1] * y.v[1][j]) % M);
  return r;
}
int main() {
  u64 n, a, b;
  std::scanf("%llu %llu %llu %llu", &n, &a, &b, &M);
  Mat r = {{{1 % M, 0}, {0, 1 % M}}}, base = {{{a, b}, {1, 0}}};
  for (; n; n >>= 1, base = mul(base, base))
    if (n & 1) r = mul(r, base);
  std::printf("%llu\n", r.v[1][0]);
}
