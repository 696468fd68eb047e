#include <cmath>
#include <cstdio>
// Wrong: 16 halvings of [1, 20] leave an error near 19 / 2^17 = 1.4e-4, far above 1e-6.
int main() {
  int t;
  std::scanf("%d", &t);
  while (t--) {
    long long y;
    std::scanf("%lld", &y);
    double target = std::log((double)y), lo = 1, hi = 20;
    for (int i = 0; i < 16; i++) {
      double mid = (lo + hi) / 2;
      (mid * std::log(mid) < target ? lo : hi) = mid;
    }
    std::printf("%.9f\n", (lo + hi) / 2);
  }
}
