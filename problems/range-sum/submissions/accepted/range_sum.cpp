#include <cstdio>
// (b - a + 1) * (a + b) is at most 2e9 * 2e9 = 4e18: it fits in a signed 64-bit integer.
int main() {
  int t;
  std::scanf("%d", &t);
  while (t--) {
    long long a, b;
    std::scanf("%lld %lld", &a, &b);
    std::printf("%lld\n", (b - a + 1) * (a + b) / 2);
  }
}
