#include <cstdio>
// Crashes: a table "is this number a square?" sized for a million, as if N were at most 1e6.
// Marking b^2 for b up to 1e5 writes far outside it: a segmentation fault.
static char isSquare[1000001];
int main() {
  long long n;
  std::scanf("%lld", &n);
  long long root = 0;
  for (long long b = 0; b * b <= n; b++) isSquare[b * b] = 1, root = b;
  for (long long a = 0; 2 * a * a <= n; a++)
    if (isSquare[n - a * a]) {
      long long b = root;
      while (a * a + b * b > n) b--;
      std::printf("%lld %lld\n", a, b);
      return 0;
    }
  std::puts("impossible");
}
