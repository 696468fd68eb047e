#include <cstdio>
#include <vector>
// Wrong: takes the modulo only at the end; the counts overflow 64 bits long before N = 1e5.
int main() {
  int n, k;
  std::scanf("%d %d", &n, &k);
  std::vector<int> s(k);
  for (int& x : s) std::scanf("%d", &x);
  std::vector<unsigned long long> ways(n + 1, 0);
  ways[0] = 1;
  for (int i = 1; i <= n; i++)
    for (int x : s)
      if (x <= i) ways[i] += ways[i - x];
  std::printf("%llu\n", ways[n] % 1000000007ULL);
}
