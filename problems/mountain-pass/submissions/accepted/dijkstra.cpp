#include <cstdio>
#include <functional>
#include <queue>
#include <vector>
// Dijkstra on the grid graph: stepping onto a square costs its digit. O(HW log HW).
int main() {
  int h, w;
  std::scanf("%d %d", &h, &w);
  std::vector<char> cost(h * w);
  char row[256];
  for (int r = 0; r < h; r++) {
    std::scanf("%255s", row);
    for (int c = 0; c < w; c++) cost[r * w + c] = row[c] - '0';
  }
  const long long INF = 1LL << 60;
  std::vector<long long> dist(h * w, INF);
  typedef std::pair<long long, int> Item;
  std::priority_queue<Item, std::vector<Item>, std::greater<Item>> pq;
  dist[0] = 0;
  pq.push({0, 0});
  const int dr[] = {1, -1, 0, 0}, dc[] = {0, 0, 1, -1};
  while (!pq.empty()) {
    auto [d, u] = pq.top();
    pq.pop();
    if (d != dist[u]) continue;
    int r = u / w, c = u % w;
    for (int k = 0; k < 4; k++) {
      int nr = r + dr[k], nc = c + dc[k];
      if (nr < 0 || nr >= h || nc < 0 || nc >= w) continue;
      int v = nr * w + nc;
      if (d + cost[v] < dist[v]) dist[v] = d + cost[v], pq.push({dist[v], v});
    }
  }
  std::printf("%lld\n", dist[h * w - 1]);
}
