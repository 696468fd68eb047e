#include <cstdio>
// Subtasks 1 and 2 (50 points): the right algorithm, but 64-bit products. Correct while M <= 1e9
// (products below 1e18); for M up to 1e18 they overflow and the answers are wrong.
typedef unsigned long long u64;
u64 M;
struct Mat { u64 v[2][2]; };
Mat mul(const Mat& x, const Mat& y) {
  Mat r;
  for (int i = 0; i < 2; i++)
    for (int j = 0; j < 2; j++) r.v[i][j] = (x.v[i][0] * y.v[0][j] % M + x.v[i][1] * y.v[1][j] % M) % M;
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
