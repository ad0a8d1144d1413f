/** `2026-01-15T10:30:00.123Z` → `2026-01-15 10:30 UTC`: the API speaks UTC, so the page does too. */
export function formatTime(iso: string | null | undefined): string {
  if (!iso) return '—';
  const date = new Date(iso);
  if (Number.isNaN(date.getTime())) return iso;
  return `${date.toISOString().slice(0, 16).replace('T', ' ')} UTC`;
}

export function formatNumber(value: number): string {
  return new Intl.NumberFormat('en').format(value);
}

/**
 * A count as the page shows it: "about 12,400" when the server estimated it (a list's
 * `approximate`, docs/reference/routes.md "Totals"). Words rather than a sign such as "≈",
 * so a screen reader says what the eye sees.
 */
export function formatCount(value: number, approximate = false): string {
  return approximate ? `about ${formatNumber(value)}` : formatNumber(value);
}
