// Number and time formatting shared by the console reports.

export function formatCount(value: number): string {
  return Math.round(value).toLocaleString('en-US');
}

export function formatSeconds(milliseconds: number): string {
  const seconds = milliseconds / 1000;
  if (seconds >= 100) return `${Math.round(seconds)} s`;
  if (seconds >= 10) return `${seconds.toFixed(1)} s`;
  return `${seconds.toFixed(2)} s`;
}

export function formatRate(count: number, wallMs: number): string {
  return wallMs > 0 ? formatCount((count / wallMs) * 1000) : '-';
}
