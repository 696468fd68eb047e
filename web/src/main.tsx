import { StrictMode } from 'react';
import { createRoot } from 'react-dom/client';
import { App } from './app';
import { isChunkLoadError } from './lib/chunk-recovery';
import { applyTheme } from './theme';
import './styles.css';

applyTheme();
createRoot(document.getElementById('root')!, {
  // A page that could not be fetched is handled (the boundary shows "retrying…"): not a bug.
  onCaughtError(error, info) {
    if (!isChunkLoadError(error)) console.error(error, info.componentStack);
  },
}).render(
  <StrictMode>
    <App />
  </StrictMode>,
);
