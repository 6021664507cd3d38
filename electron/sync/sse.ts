import { EVENTS_IDLE_MS } from '../../core/sync/protocol';

// A minimal Server-Sent Events reader over a fetch body (Node 20 has fetch but no
// EventSource). Handles `event:` / `data:` lines, comments (heartbeats) and CRLF. A stream
// that goes silent longer than `idleMs` (the server sends a heartbeat every 15 s) is dead —
// a NAT or proxy dropped it without telling us — and ends with an error so the caller
// reconnects instead of waiting forever for events that will never come.

export class StreamIdle extends Error {}

export async function readEvents(
  body: ReadableStream<Uint8Array>,
  onEvent: (event: string, data: string) => void,
  idleMs = EVENTS_IDLE_MS,
): Promise<void> {
  const decoder = new TextDecoder();
  let buffer = '';
  let event = 'message';
  let data: string[] = [];
  const line = (text: string): void => {
    if (text === '') {
      if (data.length > 0) onEvent(event, data.join('\n'));
      event = 'message';
      data = [];
      return;
    }
    if (text.startsWith(':')) return;
    const colon = text.indexOf(':');
    const field = colon === -1 ? text : text.slice(0, colon);
    const value = colon === -1 ? '' : text.slice(colon + 1).replace(/^ /, '');
    if (field === 'event') event = value;
    else if (field === 'data') data.push(value);
  };
  const reader = body.getReader();
  try {
    for (;;) {
      let timer: NodeJS.Timeout | undefined;
      const idle = new Promise<never>((_, reject) => {
        timer = setTimeout(() => reject(new StreamIdle('stream idle')), idleMs);
      });
      const { done, value } = await Promise.race([reader.read(), idle]).finally(() => clearTimeout(timer));
      if (done) return;
      buffer += decoder.decode(value, { stream: true });
      let newline: number;
      while ((newline = buffer.search(/\r\n|\n|\r/)) !== -1) {
        const end = buffer[newline] === '\r' && buffer[newline + 1] === '\n' ? newline + 2 : newline + 1;
        line(buffer.slice(0, newline));
        buffer = buffer.slice(end);
      }
    }
  } finally {
    await reader.cancel().catch(() => undefined);
  }
}
