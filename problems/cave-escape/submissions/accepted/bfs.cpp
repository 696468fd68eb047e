#include <cstdio>
#include <queue>
#include <string>
#include <vector>
// Breadth-first search from S: cells leave the queue in order of distance.
int main() {
  int r, c;
  std::scanf("%d %d", &r, &c);
  std::vector<std::string> g(r);
  char buf[256];
  int s = -1;
  for (int i = 0; i < r; i++) {
    std::scanf("%255s", buf);
    g[i] = buf;
    for (int j = 0; j < c; j++)
      if (g[i][j] == 'S') s = i * c + j;
  }
  std::vector<int> dist(r * c, -1);
  std::queue<int> q;
  dist[s] = 0;
  q.push(s);
  const int di[] = {1, -1, 0, 0}, dj[] = {0, 0, 1, -1};
  while (!q.empty()) {
    int u = q.front(), i = u / c, j = u % c;
    q.pop();
    if (g[i][j] == 'E') return std::printf("%d\n", dist[u]), 0;
    for (int k = 0; k < 4; k++) {
      int ni = i + di[k], nj = j + dj[k];
      if (ni < 0 || ni >= r || nj < 0 || nj >= c || g[ni][nj] == '#' || dist[ni * c + nj] >= 0) continue;
      dist[ni * c + nj] = dist[u] + 1;
      q.push(ni * c + nj);
    }
  }
  std::puts("-1");
}
