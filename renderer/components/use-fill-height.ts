import { useLayoutEffect, useRef, useState } from 'react';

/**
 * The height of a flex child that fills what is left of its column, kept current as the
 * window resizes: antd's virtual Tree and Table need it as a number.
 */
export function useFillHeight<T extends HTMLElement>(fallback = 400) {
  const ref = useRef<T>(null);
  const [height, setHeight] = useState(fallback);
  useLayoutEffect(() => {
    const node = ref.current;
    if (!node) return;
    const measure = () => setHeight(Math.max(160, Math.floor(node.getBoundingClientRect().height)));
    measure();
    const observer = new ResizeObserver(measure);
    observer.observe(node);
    return () => observer.disconnect();
  }, []);
  return { ref, height };
}
