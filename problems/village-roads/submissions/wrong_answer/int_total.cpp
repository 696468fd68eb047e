#include <cstdio>
#include <vector>
// Wrong: the right method with a 32-bit total, which overflows on large trees.
int main() {
  int n;
  std::scanf("%d", &n);
  std::vector<int> parent(n + 1, 0), size(n + 1, 1);
  for (int i = 2; i <= n; i++) std::scanf("%d", &parent[i]);
  int total = 0;
  for (int i = n; i >= 2; i--) {
    total += size[i] * (n - size[i]);
    size[parent[i]] += size[i];
  }
  std::printf("%d\n", total);
}
