/**
 * Code as people paste it, through the API (issue 13, item 3): single-file `code` is named
 * Main.java by the service, and the engine names it after its public class. Both modes (the
 * cluster mode's worker goes through the same engine).
 */
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { api, type Mode, registerUser, startTestServer, type TestServer } from '../helpers/app.js';

interface Exec {
  status: string;
  verdict: string | null;
  output: string | null;
  compilationError: string | null;
}

const FIZZ = 'public class FizzBuzz {\r\n  public static void main(String[] args) {\r\n    for (int i = 1; i <= 5; i++)\r\n' +
  '      System.out.println(i % 3 == 0 ? "Fizz" : i % 5 == 0 ? "Buzz" : String.valueOf(i));\r\n  }\r\n}\r\n';

for (const mode of ['embedded', 'cluster'] as Mode[]) {
  describe(`pasted code through the API (${mode})`, () => {
    let server: TestServer;
    let token: string;
    beforeAll(async () => {
      server = await startTestServer({ mode });
      token = (await registerUser(server)).token;
    });
    afterAll(async () => server?.stop());

    it('POST /execute: a Java public class FizzBuzz with a BOM and CRLF runs', async () => {
      const res = await api<{ data: Exec }>(server, 'POST', '/api/v1/execute?wait=true', { token, body: { language: 'java', code: `\uFEFF${FIZZ}` } });
      expect(res.status).toBe(200);
      expect(res.body.data, JSON.stringify(res.body.data)).toMatchObject({ status: 'completed', verdict: 'ok', output: '1\n2\nFizz\n4\nBuzz\n' });
    });

    it('POST /execute/batch: a project keeps its explicit main file (Main runs, not Helper)', async () => {
      const res = await api<{ data: Exec }>(server, 'POST', '/api/v1/execute/batch?wait=true', {
        token,
        body: {
          language: 'java',
          mainFile: 'Main.java',
          files: [
            { name: 'Main.java', content: 'public class Main { public static void main(String[] a) { System.out.println(Helper.hi()); } }\n' },
            { name: 'Helper.java', content: 'public class Helper { static String hi() { return "hi"; } public static void main(String[] a) {} }\n' },
          ],
        },
      });
      expect(res.body.data, JSON.stringify(res.body.data)).toMatchObject({ status: 'completed', output: 'hi\n' });
    });
  });
}
