#include <cmath>
#include <cstdio>
// Try every a with 2a^2 <= N (then b >= a); b is the integer square root of N - a^2, corrected
// after the floating-point sqrt.
int main() {
  long long n;
  std::scanf("%lld", &n);
  for (long long a = 0; 2 * a * a <= n; a++) {
    long long r = n - a * a, b = (long long)std::sqrt((double)r);
    while (b * b > r) b--;
    while ((b + 1) * (b + 1) <= r) b++;
    if (b * b == r) {
      std::printf("%lld %lld\n", a, b);
      return 0;
    }
  }
  std::puts("impossible");
}
