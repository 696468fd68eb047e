#include <cstdio>
#include <vector>
// Wrong: a correct segmented sieve that forgets that 1 is not a prime.
int main() {
  long long l, r;
  std::scanf("%lld %lld", &l, &r);
  int lim = 1;
  while ((long long)(lim + 1) * (lim + 1) <= r) lim++;
  std::vector<bool> composite(lim + 1, false);
  std::vector<char> seg(r - l + 1, 1);
  for (long long p = 2; p <= lim; p++) {
    if (composite[p]) continue;
    for (long long q = p * p; q <= lim; q += p) composite[q] = true;
    long long start = std::max(p * p, (l + p - 1) / p * p);
    for (long long q = start; q <= r; q += p) seg[q - l] = 0;
  }
  long long count = 0;
  for (long long x = l; x <= r; x++) count += seg[x - l];
  std::printf("%lld\n", count);
}
