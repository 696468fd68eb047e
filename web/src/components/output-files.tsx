/**
 * What a run left for the caller (issue 13): its output files under the output (images inline
 * as data: URLs, text as a preview, everything downloadable, refused files by name) and the
 * small CPU/memory chart of its timeline in the result bar.
 */
import type { Execution } from '../api/types';
import { dataUrlOf, displayOf, type OutputFileJson, textPreview, timelineChart } from '../lib/artifacts';
import { formatKb, formatMs } from './common';

const REFUSED_TEXT: Record<string, string> = {
  symlink: 'a symbolic link (never followed)',
  not_regular_file: 'not a regular file',
  too_large: 'too large',
  too_many: 'too many files',
  total_too_large: 'over the total size',
};

function FileItem({ file }: { file: OutputFileJson }) {
  const how = displayOf(file);
  const url = dataUrlOf(file);
  const base = file.name.split('/').pop() ?? file.name;
  const preview = how === 'text' ? textPreview(file) : null;
  return (
    <li className="output-file" data-testid="output-file" data-name={file.name} data-display={how}>
      <div className="output-file-head">
        <code>{file.name}</code> <span className="muted small">{formatKb(file.size / 1024)}</span>{' '}
        <a href={url} download={base} className="small">
          Download
        </a>
      </div>
      {how === 'image' && <img src={url} alt={file.name} className="output-image" data-testid="output-image" />}
      {preview && (
        <pre className="output-text">
          {preview.text}
          {preview.cut ? '\n…' : ''}
        </pre>
      )}
    </li>
  );
}

export function OutputFiles({ result }: { result: Execution | null }) {
  const files = result?.outputFiles;
  const refused = result?.refusedOutputFiles ?? [];
  if (!files) return null;
  return (
    <section className="output-files" aria-label="Output files" data-testid="output-files">
      <h3>Files</h3>
      {files.length === 0 && refused.length === 0 && <p className="muted small">The program left no file matching the patterns.</p>}
      <ul>
        {files.map((f) => (
          <FileItem key={f.name} file={f} />
        ))}
      </ul>
      {refused.length > 0 && (
        <ul className="muted small" data-testid="refused-files">
          {refused.map((f) => (
            <li key={f.name}>
              <code>{f.name}</code> not returned: {REFUSED_TEXT[f.reason] ?? f.reason}
            </li>
          ))}
        </ul>
      )}
    </section>
  );
}

const W = 120;
const H = 28;

/** Memory (filled) and CPU (line) over the run, with the figures in the tooltip. */
export function TimelineChartView({ timeline }: { timeline: Execution['timeline'] }) {
  const chart = timeline ? timelineChart(timeline, W, H) : null;
  if (!chart) return null;
  const title = `over ${formatMs(chart.durationMs)}: memory up to ${formatKb(chart.peakMemoryKb)}, CPU up to ${chart.peakCpuPercent}% of a core`;
  return (
    <span className="timeline" data-testid="timeline">
      <svg width={W} height={H} viewBox={`0 0 ${W} ${H}`} role="img" aria-label={`Timeline ${title}`}>
        <title>{title}</title>
        <path d={`${chart.memoryPath} L${W},${H} L0,${H} Z`} className="timeline-memory" />
        <path d={chart.cpuPath} className="timeline-cpu" fill="none" />
      </svg>
    </span>
  );
}
