import type { CSSProperties } from 'react';

// The content area is a column as tall as the window under the header (shell.tsx). Pages
// that show trees fill what is left of it, and each of their columns scrolls on its own,
// so the tree and the details stay in view.
export const CONTENT_AREA: CSSProperties = { padding: 16, minWidth: 0, height: 'calc(100vh - 64px)', overflow: 'auto', display: 'flex', flexDirection: 'column' };
export const PAGE_FILL: CSSProperties = { display: 'flex', gap: 12, flex: 1, minHeight: 480 };

/** A card that is a column of the page: fixed header, body filling the rest. */
export const COLUMN_CARD: CSSProperties = { display: 'flex', flexDirection: 'column', height: '100%', minHeight: 0 };
export const COLUMN_BODY: CSSProperties = { flex: 1, minHeight: 0, display: 'flex', flexDirection: 'column', gap: 8, overflow: 'hidden' };
export const SCROLL_BODY: CSSProperties = { flex: 1, minHeight: 0, overflow: 'auto' };
