#include <cstdio>
#include <vector>
// Crashes: marks every minute of the window in a table; a window of 1e18 minutes cannot be
// allocated (std::bad_alloc / std::length_error ends the program).
int main() {
  int t;
  std::scanf("%d", &t);
  while (t--) {
    long long l, r, k;
    std::scanf("%lld %lld %lld", &l, &r, &k);
    std::vector<bool> leaves(r - l + 1);
    long long n = 0;
    for (long long m = l; m <= r; m++)
      if (m % k == 0) leaves[m - l] = true, n++;
    std::printf("%lld\n", n);
  }
}
