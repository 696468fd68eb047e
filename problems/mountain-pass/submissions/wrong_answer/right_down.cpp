#include <algorithm>
#include <cstdio>
#include <vector>
// Wrong: dynamic programming over right and down steps only. It misses every route that has to
// go up or left.
int main() {
  int h, w;
  std::scanf("%d %d", &h, &w);
  std::vector<std::vector<long long>> best(h, std::vector<long long>(w));
  char row[256];
  for (int r = 0; r < h; r++) {
    std::scanf("%255s", row);
    for (int c = 0; c < w; c++) {
      long long cost = (r || c) ? row[c] - '0' : 0;
      long long from = r == 0 && c == 0 ? 0 : r == 0 ? best[r][c - 1] : c == 0 ? best[r - 1][c] : std::min(best[r - 1][c], best[r][c - 1]);
      best[r][c] = from + cost;
    }
  }
  std::printf("%lld\n", best[h - 1][w - 1]);
}
