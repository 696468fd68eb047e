/**
 * The interactive console under a run's output: what is typed goes to the running program's
 * stdin (a terminal on the server, so the program sees Enter as a terminal sends it and its
 * prompts behave as in a terminal, echo included). Ctrl-C interrupts the program, Ctrl-D ends
 * its input (also as buttons).
 */
import { useRef, useState } from 'react';
import { executionSocket } from '../api/session';

export function RunConsole({ executionId }: { executionId: string }) {
  const [line, setLine] = useState('');
  const [error, setError] = useState<string | null>(null);
  const box = useRef<HTMLInputElement>(null);
  const send = async (event: 'execution:stdin' | 'execution:eof' | 'execution:signal', extra: { data?: string; signal?: string } = {}) => {
    const ack = await executionSocket.sendInput(event, { executionId, ...extra });
    setError(ack.error ? ack.error.message : null);
    return !ack.error;
  };
  return (
    <form
      className="run-console"
      aria-label="Program input"
      data-testid="run-console"
      onSubmit={(e) => {
        e.preventDefault();
        const text = line;
        setLine('');
        // A terminal sends CR for Enter; the terminal on the server turns it into a newline.
        void send('execution:stdin', { data: `${text}\r` });
        box.current?.focus();
      }}
    >
      <span className="run-console-prompt" aria-hidden="true">
        ›
      </span>
      <input
        ref={box}
        className="grow"
        value={line}
        onChange={(e) => setLine(e.target.value)}
        onKeyDown={(e) => {
          if (e.ctrlKey && e.key === 'c' && !line) {
            e.preventDefault();
            void send('execution:signal', { signal: 'SIGINT' });
          } else if (e.ctrlKey && e.key === 'd') {
            e.preventDefault();
            void send('execution:eof');
          }
        }}
        placeholder="Type input for the program, Enter to send"
        aria-label="Input for the running program"
        spellCheck={false}
        autoComplete="off"
        autoFocus
        data-testid="console-input"
      />
      <button type="submit" className="btn">
        Send
      </button>
      <button type="button" className="btn" title="Interrupt (Ctrl+C)" onClick={() => void send('execution:signal', { signal: 'SIGINT' })}>
        Ctrl+C
      </button>
      <button type="button" className="btn" title="End of input (Ctrl+D)" onClick={() => void send('execution:eof')}>
        EOF
      </button>
      {error && (
        <small className="note-error" role="alert">
          {error}
        </small>
      )}
    </form>
  );
}
