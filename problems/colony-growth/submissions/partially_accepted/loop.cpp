#include <cstdio>
// Subtask 1 only (20 points): computes the generations one by one, O(N). Too slow for N = 1e18.
int main() {
  unsigned long long n, a, b, m;
  std::scanf("%llu %llu %llu %llu", &n, &a, &b, &m);
  unsigned long long prev = 0, cur = 1 % m;  // a_0, a_1
  if (n == 0) return std::puts("0"), 0;
  for (unsigned long long i = 1; i < n; i++) {
    unsigned long long next = (a * cur + b * prev) % m;  // fits: a, cur < m <= 1e9
    prev = cur, cur = next;
  }
  std::printf("%llu\n", cur);
}
