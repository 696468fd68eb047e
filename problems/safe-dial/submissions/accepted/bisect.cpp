#include <iostream>
#include <string>
// Bisection: each answer halves [lo, hi]; 30 questions cover 2^30 - 1 > 1e9 numbers.
int main() {
  long long n;
  std::cin >> n;
  long long lo = 1, hi = n;
  while (lo <= hi) {
    long long mid = lo + (hi - lo) / 2;
    std::cout << "? " << mid << std::endl;  // endl flushes
    std::string reply;
    std::cin >> reply;
    if (reply == "correct") return 0;
    if (reply == "higher") lo = mid + 1;
    else hi = mid - 1;
  }
  return 0;
}
