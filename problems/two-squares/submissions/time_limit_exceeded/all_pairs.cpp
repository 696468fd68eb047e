#include <cstdio>
// Too slow: tries every pair (a, b) up to sqrt(N): 1e10 pairs when N = 1e10.
int main() {
  long long n;
  std::scanf("%lld", &n);
  for (long long a = 0; a * a <= n; a++)
    for (volatile long long b = 0; b * b <= n; b++)
      if (a * a + b * b == n) {
        std::printf("%lld %lld\n", a, (long long)b);
        return 0;
      }
  std::puts("impossible");
}
