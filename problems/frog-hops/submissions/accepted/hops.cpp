#include <cstdio>
#include <vector>
// ways[i] = sum of ways[i - s] over the hop lengths s <= i, reduced modulo 1e9+7 at every step.
int main() {
  const long long MOD = 1000000007;
  int n, k;
  std::scanf("%d %d", &n, &k);
  std::vector<int> s(k);
  for (int& x : s) std::scanf("%d", &x);
  std::vector<long long> ways(n + 1, 0);
  ways[0] = 1;
  for (int i = 1; i <= n; i++)
    for (int x : s)
      if (x <= i) ways[i] = (ways[i] + ways[i - x]) % MOD;
  std::printf("%lld\n", ways[n]);
}
