#include <cstdio>
// Wrong: 32-bit arithmetic overflows on wide ranges.
int main() {
  int t;
  std::scanf("%d", &t);
  while (t--) {
    int a, b;
    std::scanf("%d %d", &a, &b);
    std::printf("%d\n", (b - a + 1) * (a + b) / 2);
  }
}
