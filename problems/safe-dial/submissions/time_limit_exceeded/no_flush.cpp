#include <cstdio>
#include <cstring>
// Too slow, forever: printf to a pipe is fully buffered and nothing flushes it, so the judge
// never receives the first question while this program waits for its answer.
int main() {
  long long n;
  std::scanf("%lld", &n);
  long long lo = 1, hi = n;
  char reply[16];
  while (lo <= hi) {
    long long mid = lo + (hi - lo) / 2;
    std::printf("? %lld\n", mid);
    if (std::scanf("%15s", reply) != 1 || !std::strcmp(reply, "correct")) return 0;
    if (!std::strcmp(reply, "higher")) lo = mid + 1;
    else hi = mid - 1;
  }
}
