/**
 * The one line format for a figure beside its target (issue 13), shared by every bench:
 * `| name | value | ≤ limit | ok |` (a Markdown table row, so the README can quote it).
 * Print `targetHeader` once before a block of rows.
 */
export const targetHeader = '| figure | measured | target | |\n|---|---|---|---|';

/** Counts as they are; else two decimals below 10 (ratios such as 1.15×), one below 1000, none above. */
const format = (value: number, unit: string) => {
  const digits = Number.isInteger(value) || Math.abs(value) >= 1000 ? 0 : Math.abs(value) < 10 ? 2 : 1;
  const text = value.toLocaleString('en', { minimumFractionDigits: digits, maximumFractionDigits: digits });
  return unit === '×' ? `${text}×` : `${text} ${unit}`;
};

/**
 * One figure against its limit: `ok` when within it, `over` otherwise (`under` when
 * `better` is 'higher' and the value falls short). NaN (not measured) is never ok.
 */
export function target(name: string, value: number, limit: number, unit: string, better: 'lower' | 'higher' = 'lower'): string {
  const within = better === 'lower' ? value <= limit : value >= limit;
  const verdict = within ? 'ok' : better === 'lower' ? 'over' : 'under';
  return `| ${name} | ${format(value, unit)} | ${better === 'lower' ? '≤' : '≥'} ${format(limit, unit)} | ${verdict} |`;
}
