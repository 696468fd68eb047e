import java.io.BufferedReader;
import java.io.InputStreamReader;
import java.util.ArrayDeque;
import java.util.Arrays;

public class Bfs {
  public static void main(String[] args) throws Exception {
    BufferedReader in = new BufferedReader(new InputStreamReader(System.in));
    String[] rc = in.readLine().trim().split(" ");
    int r = Integer.parseInt(rc[0]), c = Integer.parseInt(rc[1]);
    char[] cave = new char[r * c];
    for (int i = 0; i < r; i++) in.readLine().getChars(0, c, cave, i * c);
    int[] dist = new int[r * c];
    Arrays.fill(dist, -1);
    ArrayDeque<Integer> q = new ArrayDeque<>();
    for (int u = 0; u < r * c; u++) if (cave[u] == 'S') { dist[u] = 0; q.add(u); }
    int answer = -1;
    while (!q.isEmpty()) {
      int u = q.poll(), i = u / c, j = u % c;
      if (cave[u] == 'E') { answer = dist[u]; break; }
      int[][] next = {{u - c, i > 0 ? 1 : 0}, {u + c, i + 1 < r ? 1 : 0}, {u - 1, j > 0 ? 1 : 0}, {u + 1, j + 1 < c ? 1 : 0}};
      for (int[] n : next) {
        if (n[1] == 1 && cave[n[0]] != '#' && dist[n[0]] < 0) { dist[n[0]] = dist[u] + 1; q.add(n[0]); }
      }
    }
    System.out.println(answer);
  }
}
