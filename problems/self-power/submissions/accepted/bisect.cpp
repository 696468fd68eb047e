#include <cmath>
#include <cstdio>
// x^x = y  <=>  x ln x = ln y; the left side increases for x >= 1, and 20^20 > 1e15, so a
// bisection on [1, 20] converges to the only root.
int main() {
  int t;
  std::scanf("%d", &t);
  while (t--) {
    long long y;
    std::scanf("%lld", &y);
    double target = std::log((double)y), lo = 1, hi = 20;
    for (int i = 0; i < 100; i++) {
      double mid = (lo + hi) / 2;
      (mid * std::log(mid) < target ? lo : hi) = mid;
    }
    std::printf("%.9f\n", (lo + hi) / 2);
  }
}
