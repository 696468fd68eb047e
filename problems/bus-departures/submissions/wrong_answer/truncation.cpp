#include <cstdio>
// Wrong: r / k - (l - 1) / k assumes floor division, but C++ truncates: (0 - 1) / k is 0, not -1,
// so the departure at minute 0 is never counted.
int main() {
  int t;
  std::scanf("%d", &t);
  while (t--) {
    long long l, r, k;
    std::scanf("%lld %lld %lld", &l, &r, &k);
    std::printf("%lld\n", r / k - (l - 1) / k);
  }
}
