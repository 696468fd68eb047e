import { describe, expect, it } from 'vitest';
import { dataUrlOf, DEFAULT_OUTPUT_GLOBS, displayOf, parseGlobList, textPreview, timelineChart } from '../../web/src/lib/artifacts.js';

describe('output files in the playground', () => {
  it('parses the globs field: commas or spaces, no empties, no duplicates', () => {
    expect(parseGlobList(DEFAULT_OUTPUT_GLOBS)).toEqual(['*.png', '*.svg', '*.csv', '*.txt']);
    expect(parseGlobList(' out/*.csv,,*.png  *.png\n')).toEqual(['out/*.csv', '*.png']);
    expect(parseGlobList('')).toEqual([]);
    expect(parseGlobList(Array.from({ length: 20 }, (_, i) => `f${i}`).join(' '))).toHaveLength(16);
  });

  it('shows images inline, text as a preview, the rest as downloads', () => {
    expect(displayOf({ type: 'image/png' })).toBe('image');
    expect(displayOf({ type: 'image/svg+xml' })).toBe('image');
    expect(displayOf({ type: 'text/csv' })).toBe('text');
    expect(displayOf({ type: 'application/json' })).toBe('text');
    expect(displayOf({ type: 'application/pdf' })).toBe('download');
    expect(displayOf({ type: 'application/octet-stream' })).toBe('download');
    expect(dataUrlOf({ type: 'image/png', content: 'iVBO' })).toBe('data:image/png;base64,iVBO');
  });

  it('decodes a text preview as UTF-8 and says when it is cut', () => {
    const content = Buffer.from('é,ü\n1,2\n').toString('base64');
    expect(textPreview({ content })).toEqual({ text: 'é,ü\n1,2\n', cut: false });
    expect(textPreview({ content }, 3)).toEqual({ text: 'é,ü', cut: true });
  });
});

describe('timeline chart scaling', () => {
  it('maps memory to the height (peak at the top) and CPU as a rate of one core', () => {
    // 0..100 ms: CPU 0 -> 50 ms (50% of a core), then 50 -> 150 over 100 ms (100%); memory 1000 -> 4000 KB.
    const c = timelineChart(
      [
        [10, 0, 1000],
        [60, 25, 2000],
        [110, 50, 4000],
        [210, 150, 4000],
      ],
      200,
      40,
    )!;
    expect(c.durationMs).toBe(200);
    expect(c.peakMemoryKb).toBe(4000);
    expect(c.peakCpuPercent).toBe(100);
    expect(c.memoryPath).toBe('M0,30 L50,20 L100,0 L200,0');
    expect(c.cpuPath).toBe('M0,40 L50,20 L100,20 L200,0');
  });

  it('scales CPU to the peak when threads pass one core, and draws nothing without elapsed time', () => {
    const c = timelineChart(
      [
        [0, 0, 10],
        [100, 200, 10],
      ],
      100,
      10,
    )!;
    expect(c.peakCpuPercent).toBe(200);
    expect(c.cpuPath).toBe('M0,10 L100,0');
    expect(timelineChart([[0, 0, 1]], 100, 10)).toBeNull();
    expect(
      timelineChart(
        [
          [5, 0, 1],
          [5, 1, 1],
        ],
        100,
        10,
      ),
    ).toBeNull();
  });
});
