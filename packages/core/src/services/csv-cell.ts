/**
 * The one CSV cell writer of the core: every CSV it produces (the user export, the audit
 * export) goes through {@link csvCell}, so the formula guard cannot be forgotten by one of them.
 */

/**
 * What makes a spreadsheet read a cell as a formula (OWASP "CSV Injection"): `=`, `+`, `-`,
 * `@`, a tab or a CR at the start; also after leading white space or line breaks, which
 * Excel and LibreOffice skip; `|` (DDE, `|cmd`); and the fullwidth forms `＝＋－＠｜`, which
 * some spreadsheets normalise to the ASCII ones.
 */
const FORMULA_LEAD = /^(?:[\t\r]|\s*[=+\-@|\uFF1D\uFF0B\uFF0D\uFF20\uFF5C])/;

/** `value` with a leading `'` when a spreadsheet could read it as a formula, unchanged otherwise. */
export function guardFormula(value: string): string {
  return FORMULA_LEAD.test(value) ? `'${value}` : value;
}

/**
 * An RFC 4180 text cell, formula-guarded: {@link guardFormula} first, then double quotes
 * around a cell holding a quote, a comma or a line break (quotes doubled inside). Numbers,
 * booleans and ISO times, which the exports write themselves, need neither.
 *
 * @example csvCell('=1+1') // "'=1+1"
 * @example csvCell(' @SUM(A1)') // "' @SUM(A1)"
 * @example csvCell('say "hi", then go') // '"say ""hi"", then go"'
 */
export function csvCell(value: string): string {
  const guarded = guardFormula(value);
  return /[",\r\n]/.test(guarded) ? `"${guarded.replace(/"/g, '""')}"` : guarded;
}
