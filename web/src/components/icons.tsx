/** A few inline SVG icons (no icon font, no emoji: both depend on fonts the machine may lack). */
const common = { width: 14, height: 14, viewBox: '0 0 16 16', fill: 'none', stroke: 'currentColor', strokeWidth: 1.4, 'aria-hidden': true } as const;

export const FileIcon = () => (
  <svg {...common}>
    <path d="M4 1.5h5l3 3v10H4z" strokeLinejoin="round" />
    <path d="M9 1.5v3h3" strokeLinejoin="round" />
  </svg>
);

export const FolderIcon = ({ open }: { open: boolean }) => (
  <svg {...common}>
    {open ? <path d="M1.5 4h4l1.5 1.5h7v2H4.5l-3 6z M1.5 13.5l2.5-6h10.5l-2.5 6z" strokeLinejoin="round" /> : <path d="M1.5 3.5h4.5l1.5 1.5h7v8.5h-13z" strokeLinejoin="round" />}
  </svg>
);

export const ForkIcon = () => (
  <svg {...common}>
    <circle cx="4" cy="3" r="1.5" />
    <circle cx="12" cy="3" r="1.5" />
    <circle cx="8" cy="13" r="1.5" />
    <path d="M4 4.5v1.5c0 1.5 1 2 4 2s4-.5 4-2V4.5M8 8v3.5" />
  </svg>
);

export const TrashIcon = () => (
  <svg {...common}>
    <path d="M2.5 4h11M6 4V2.5h4V4M4 4l.7 9.5h6.6L12 4" strokeLinejoin="round" />
  </svg>
);
