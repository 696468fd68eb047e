#include <cstdio>
#include <vector>
// The road between i and its parent is on the path of every pair with one village in i's subtree
// and one outside: size * (N - size) pairs. Parents have smaller numbers, so one backwards pass
// computes the subtree sizes. The sum reaches ~1.7e11: 64-bit.
int main() {
  int n;
  std::scanf("%d", &n);
  std::vector<int> parent(n + 1, 0);
  for (int i = 2; i <= n; i++) std::scanf("%d", &parent[i]);
  std::vector<long long> size(n + 1, 1);
  long long total = 0;
  for (int i = n; i >= 2; i--) {
    total += size[i] * (n - size[i]);
    size[parent[i]] += size[i];
  }
  std::printf("%lld\n", total);
}
