#include <cstdio>
// Too slow: trial division of every number of the window; each prime near 1e12 needs ~1e6
// divisions, and a window of 1e6 numbers holds ~36,000 of them.
int main() {
  long long l, r, count = 0;
  std::scanf("%lld %lld", &l, &r);
  for (long long x = l; x <= r; x++) {
    bool prime = x > 1;
    for (long long d = 2; d * d <= x && prime; d++)
      if (x % d == 0) prime = false;
    count += prime;
  }
  std::printf("%lld\n", count);
}
