/** j/k navigation: moves by delta and stays inside [0, length) instead of wrapping. */
export function nextIndex(current: number, length: number, delta: number): number {
  if (length <= 0) return 0;
  return Math.max(0, Math.min(length - 1, current + delta));
}
