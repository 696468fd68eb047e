#include <cstdio>
// Departures in [0, x] number x / K + 1; the answer is that count for R minus the one for L - 1.
// C++ division truncates towards zero, so L = 0 (where L - 1 = -1) is handled on its own.
int main() {
  int t;
  std::scanf("%d", &t);
  while (t--) {
    long long l, r, k;
    std::scanf("%lld %lld %lld", &l, &r, &k);
    long long upToR = r / k + 1;
    long long beforeL = l == 0 ? 0 : (l - 1) / k + 1;
    std::printf("%lld\n", upToR - beforeL);
  }
}
