import { SyncNetworkError } from './transport';

// A request's deadline that holds whatever fetch does. The signal handed to fetch aborts the
// request, but the wait does not rest on that abort: undici 6 (Node 20) follows a fetch's
// signal through weak references, and an abort can fail to reach the request after a garbage
// collection at the wrong moment (nodejs/undici#3644, #4068; a fetch under
// AbortSignal.any([AbortSignal.timeout(…), …]) with the collector running hung every time
// here). The CI fault run of grids seed 7021 hung twice on a push its proxy never answered,
// 80 s past the station's 1.5 s request timeout, and never in isolation. Racing the work
// against a timer of our own ends the wait at the deadline in any case; a request that
// ignored its abort is left to undici's own timeouts.

/**
 * Runs `work` with a signal that aborts at `ms` or when `stopped` aborts, and settles at the
 * first of the three: rejecting with SyncNetworkError(`reason`) at the deadline, or
 * SyncNetworkError('unreachable') on stop. `controller` may be the caller's, when the signal
 * must outlive the wait (an event stream's body after its headers came).
 */
export async function withDeadline<T>(
  ms: number,
  reason: string,
  stopped: AbortSignal | undefined,
  work: (signal: AbortSignal) => Promise<T>,
  controller = new AbortController(),
): Promise<T> {
  let timer: NodeJS.Timeout | undefined;
  let onStop: (() => void) | undefined;
  const ended = new Promise<never>((_, reject) => {
    const end = (error: SyncNetworkError): void => {
      reject(error);
      controller.abort(error);
    };
    timer = setTimeout(() => end(new SyncNetworkError(reason)), ms);
    onStop = () => end(new SyncNetworkError('unreachable'));
    if (stopped?.aborted) onStop();
    else stopped?.addEventListener('abort', onStop, { once: true });
  });
  try {
    return await Promise.race([work(controller.signal), ended]);
  } finally {
    clearTimeout(timer);
    if (onStop) stopped?.removeEventListener('abort', onStop);
  }
}
