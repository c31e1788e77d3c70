/** Dollars as people read them: "$103.80", "$12,345", "<$0.01", "$0.00"; negative with a minus sign. */
export function formatUsd(amount: number): string {
  if (!Number.isFinite(amount)) return '—';
  const sign = amount < 0 ? '−' : '';
  const value = Math.abs(amount);
  if (value === 0) return '$0.00';
  if (value < 0.005) return `${sign}<$0.01`;
  if (value >= 10_000) return `${sign}$${Math.round(value).toLocaleString('en-US')}`;
  return `${sign}$${value.toLocaleString('en-US', { minimumFractionDigits: 2, maximumFractionDigits: 2 })}`;
}

/** A price as the table holds it, without losing its digits: "$0.0000166667". */
export function formatPrice(price: number): string {
  const digits = price.toFixed(10).replace(/0+$/, '');
  const [whole = '0', fraction = ''] = digits.split('.');
  return `$${whole}.${fraction.padEnd(2, '0')}`;
}

/** Rounded to the cent, for JSON and comparisons. */
export function cents(amount: number): number {
  return Math.round(amount * 100) / 100;
}
