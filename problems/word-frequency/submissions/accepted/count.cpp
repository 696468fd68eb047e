#include <iostream>
#include <map>
#include <string>
// A std::map iterates in alphabetical order, so the first word with the top count wins ties.
int main() {
  std::ios::sync_with_stdio(false);
  std::map<std::string, int> count;
  std::string w;
  while (std::cin >> w) count[w]++;
  std::string best;
  int top = 0;
  for (const auto& [word, c] : count)
    if (c > top) best = word, top = c;
  std::cout << best << ' ' << top << '\n';
}
