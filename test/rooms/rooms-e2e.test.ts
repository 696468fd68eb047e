/**
 * Rooms end to end in Debian's Chromium (issue 10 "Done when"): an interviewer with an account
 * and a guest candidate from an invite link (two browser contexts) type in the same room at the
 * same time and converge; each sees the other's named cursor; the candidate runs the code and
 * both see the output; the interviewer's notes never reach the candidate; after End, the
 * playback replays the session and ends on the final text.
 */
import type { Browser, BrowserContext, Page } from 'playwright-core';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { api, startTestServer, type TestServer } from '../helpers/app';
import { CI } from '../helpers/engine';
import { ensureWebBuilt, HAVE_CHROMIUM, launchChromium, shot } from '../e2e/browser';
import { newUser, type User } from './helpers';

/** The editor's text, without the remote cursors' name tags (widgets inside the lines). */
function docText(): string {
  return Array.from(document.querySelectorAll('.cm-line'), (l) => {
    const c = l.cloneNode(true) as HTMLElement;
    c.querySelectorAll('.cm-ySelectionCaret').forEach((e) => e.remove());
    return (c.textContent ?? '').replace(/\u2060/g, '');
  }).join('\n');
}

describe.skipIf(!HAVE_CHROMIUM && !CI)('rooms in Chromium', () => {
  let server: TestServer;
  let browser: Browser;
  const contexts: BrowserContext[] = [];
  const problems: string[] = [];
  let interviewer: User;

  const newPage = async (who: string): Promise<Page> => {
    const ctx = await browser.newContext({ viewport: { width: 1360, height: 900 } });
    contexts.push(ctx);
    const p = await ctx.newPage();
    p.setDefaultTimeout(20_000);
    p.on('pageerror', (e) => problems.push(`${who} pageerror: ${e.message}`));
    return p;
  };

  beforeAll(async () => {
    if (!HAVE_CHROMIUM) throw new Error('Chromium is missing: apt-get install chromium (make deps installs it)');
    ensureWebBuilt();
    server = await startTestServer({ mode: 'embedded' });
    browser = await launchChromium();
    interviewer = await newUser(server, 'int');
  }, 120_000);

  afterAll(async () => {
    for (const c of contexts) await c.close().catch(() => undefined);
    await browser?.close();
    await server?.stop();
  });

  it('interview: type together, cursors, shared run, private notes, End and playback', async () => {
    // The interviewer signs in and creates the room.
    const a = await newPage('interviewer');
    await a.goto(`${server.url}/login`);
    await a.fill('#email', `${interviewer.username}@example.com`);
    await a.fill('#password', 'correct horse battery');
    await a.click('button[type=submit]');
    await a.waitForSelector('[data-testid=user-menu]');
    await a.goto(`${server.url}/rooms`);
    await a.fill('[data-testid=room-title]', 'Two-sum interview');
    await a.click('[data-testid=create-room]');
    await a.waitForSelector('[data-testid=room-page] .cm-content');
    const roomId = new URL(a.url()).pathname.split('/').pop()!;
    const invite = await a.inputValue('[data-testid=invite-candidate]');
    expect(invite).toContain('/rooms/join/');

    // The candidate, without an account, joins from the link with a name.
    const b = await newPage('candidate');
    const framesToCandidate: string[] = [];
    b.on('websocket', (ws) => ws.on('framereceived', (f) => framesToCandidate.push(typeof f.payload === 'string' ? f.payload : Buffer.from(f.payload).toString('latin1'))));
    await b.goto(invite);
    await b.fill('[data-testid=guest-name]', 'Casey Candidate');
    await b.click('[data-testid=join-room]');
    await b.waitForSelector('[data-testid=room-page] .cm-content');
    expect(await b.textContent('[data-testid=my-role]')).toBe('candidate');

    // The interviewer writes the first line; then both type at once on different lines.
    await a.click('.cm-content');
    await a.keyboard.type('x = 6 * 7\n\n');
    await b.waitForFunction(() => document.querySelector('.cm-content')?.textContent?.includes('x = 6 * 7'));
    await b.click('.cm-content');
    await b.keyboard.press('Control+End');
    await a.keyboard.press('Control+Home');
    await a.keyboard.press('End');
    await Promise.all([a.keyboard.type('  # the answer', { delay: 15 }), b.keyboard.type('print("answer", x)', { delay: 15 })]);
    const expected = 'x = 6 * 7  # the answer\n\nprint("answer", x)';
    for (const p of [a, b]) await p.waitForFunction(`(${docText.toString()})() === ${JSON.stringify(expected)}`);
    expect(await a.evaluate(docText)).toBe(await b.evaluate(docText));

    // Each sees the other's cursor with the name the server stamped.
    await a.waitForFunction(() => Array.from(document.querySelectorAll('.cm-ySelectionInfo')).some((e) => e.textContent === 'Casey Candidate'));
    await b.waitForFunction((name) => Array.from(document.querySelectorAll('.cm-ySelectionInfo')).some((e) => e.textContent === name), interviewer.username);
    await a.waitForFunction(() => document.querySelector('[data-testid=participants]')?.textContent?.includes('Casey Candidate'));

    // Private notes: saved by the interviewer, never sent to the candidate.
    const secret = 'NOTE-weak-on-complexity-7f3a';
    await a.fill('[data-testid=room-notes]', secret);
    await a.click('[data-testid=save-notes]');
    await a.waitForSelector('[data-testid=save-notes]:has-text("Saved")');

    // The candidate runs; both see the output stream.
    await b.click('[data-testid=room-run]');
    for (const p of [a, b]) await p.waitForFunction(() => document.querySelector('[data-testid=room-stdout]')?.textContent?.includes('answer 42'), undefined, { timeout: 30_000 });

    await shot(a, 'room');
    expect(framesToCandidate.join('\n')).not.toContain(secret);
    expect(await b.content()).not.toContain(secret);
    const guestToken = await b.evaluate((id) => sessionStorage.getItem(`muscode-room-token:${id}`), roomId);
    expect((await api(server, 'GET', `/api/v1/rooms/${roomId}/notes`, { headers: { 'x-room-token': guestToken! } })).status).toBe(403);

    // End: read-only for everyone, the playback opens for the interviewer.
    a.once('dialog', (d) => void d.accept());
    await a.click('[data-testid=room-end]');
    await a.waitForSelector('[data-testid=playback]');
    await b.waitForSelector('[data-testid=room-closed]');
    const total = Number(await a.getAttribute('[data-testid=playback-slider]', 'max'));
    expect(total).toBeGreaterThan(20); // keystroke by keystroke
    expect(await a.textContent('[data-testid=playback-code]')).toBe(`${expected}`);
    expect(await a.locator('[data-testid=playback-run-mark]').count()).toBe(1);
    await a.fill('[data-testid=playback-slider]', '0');
    expect(await a.textContent('[data-testid=playback-code]')).toBe('');
    await a.fill('[data-testid=playback-slider]', String(Math.floor(total / 2)));
    await shot(a, 'room-playback');
    const middle = (await a.textContent('[data-testid=playback-code]')) ?? '';
    expect(middle.length).toBeGreaterThan(0);
    expect(middle.length).toBeLessThan(expected.length);
    await a.fill('[data-testid=playback-slider]', String(total));
    expect(await a.textContent('[data-testid=playback-code]')).toBe(expected);
    expect(problems).toEqual([]);
  }, 120_000);
});
