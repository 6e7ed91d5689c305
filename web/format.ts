/**
 * Dates, numbers and percentages as a reader of the page's language writes them: "5 mei 2029",
 * "12.345", "42,9%" on a Dutch page; "5 May 2029", "12,345", "42.9%" on an English one. Every page
 * shows a date or number through these, never the API's `YYYY-MM-DD` or a bare `toString()`.
 * Date-only values are calendar days (no time zone of their own); instants are shown in Europe/Amsterdam.
 */
import type { Lang, Translate } from './messages';

const LOCALES: Record<Lang, string> = { nl: 'nl-NL', en: 'en-GB' };
const cache = new Map<string, Intl.DateTimeFormat | Intl.NumberFormat>();

function dateFormat(lang: Lang, kind: string, options: Intl.DateTimeFormatOptions): Intl.DateTimeFormat {
  const key = `d:${lang}:${kind}`;
  let format = cache.get(key) as Intl.DateTimeFormat | undefined;
  if (!format) cache.set(key, (format = new Intl.DateTimeFormat(LOCALES[lang], options)));
  return format;
}

function numberFormat(lang: Lang, kind: string, options: Intl.NumberFormatOptions): Intl.NumberFormat {
  const key = `n:${lang}:${kind}`;
  let format = cache.get(key) as Intl.NumberFormat | undefined;
  if (!format) cache.set(key, (format = new Intl.NumberFormat(LOCALES[lang], options)));
  return format;
}

const DAY = /^(\d{4})-(\d{2})-(\d{2})$/;

/**
 * A calendar day `YYYY-MM-DD` as the language writes it: "5 mei 2029" / "5 May 2029"; `short` for
 * dense tables, the month abbreviated ("14 mrt 2025"). A
 * missing day is a dash; anything that is not such a day is returned unchanged.
 */
export function formatDate(lang: Lang, day: string | undefined | null, style: 'long' | 'short' = 'long'): string {
  if (!day) return '—';
  const m = DAY.exec(day);
  if (!m) return day;
  const date = new Date(Date.UTC(Number(m[1]), Number(m[2]) - 1, Number(m[3])));
  return dateFormat(lang, `day-${style}`, { day: 'numeric', month: style, year: 'numeric', timeZone: 'UTC' }).format(date);
}

/** A month `YYYY-MM` as "maart 2025" / "March 2025"; anything else unchanged. */
export function formatMonth(lang: Lang, month: string): string {
  const m = /^(\d{4})-(\d{2})$/.exec(month);
  if (!m) return month;
  return dateFormat(lang, 'month', { month: 'long', year: 'numeric', timeZone: 'UTC' }).format(new Date(Date.UTC(Number(m[1]), Number(m[2]) - 1, 1)));
}

/** An instant (ISO-8601) as "14 maart 2025 13:24" in Europe/Amsterdam. */
export function formatDateTime(lang: Lang, iso: string): string {
  return dateFormat(lang, 'instant', { day: 'numeric', month: 'long', year: 'numeric', hour: '2-digit', minute: '2-digit', hourCycle: 'h23', timeZone: 'Europe/Amsterdam' }).format(new Date(iso));
}

/**
 * An instant (ISO-8601) as its local time in Europe/Amsterdam, `YYYY-MM-DD HH:MM:SS` (24 hours), the way
 * a spreadsheet reads a date and time in any language: a download's time column for people (api/export.ts).
 */
export function localTimestamp(iso: string): string {
  const parts = Object.fromEntries(
    dateFormat('nl', 'timestamp', { year: 'numeric', month: '2-digit', day: '2-digit', hour: '2-digit', minute: '2-digit', second: '2-digit', hourCycle: 'h23', timeZone: 'Europe/Amsterdam' })
      .formatToParts(new Date(iso))
      .map((p) => [p.type, p.value]),
  ) as Record<Intl.DateTimeFormatPartTypes, string>;
  return `${parts.year}-${parts.month}-${parts.day} ${parts.hour}:${parts.minute}:${parts.second}`;
}

/** A number with the language's separators: "12.345,5" / "12,345.5". */
export function formatNumber(lang: Lang, value: number): string {
  return numberFormat(lang, 'number', { maximumFractionDigits: 1 }).format(value);
}

/** A share `yes / total` as a percentage with one decimal: "42,9%"; "—" when there is nothing to divide. */
export function formatShare(lang: Lang, yes: number, total: number): string {
  if (total === 0) return '—';
  return numberFormat(lang, 'percent', { style: 'percent', maximumFractionDigits: 1 }).format(yes / total);
}

/** A municipality's slug as its name is written: `borger-odoorn` → "Borger-Odoorn", `midden-drenthe` → "Midden-Drenthe". */
export function municipalityName(slug: string): string {
  return slug
    .split('-')
    .map((part) => (part.length > 0 ? part[0]!.toUpperCase() + part.slice(1) : part))
    .join('-');
}

/**
 * The state of a journey as every list and page shows it (finding 1 of the second trial): an end for a
 * reason (the BRP's death or emigration) wins, "beëindigd: overleden"; otherwise the run status, given as
 * the read model (`completed`, `timed-out`) or the list (`COMPLETED`, `TIMED_OUT`) spells it.
 */
export function journeyStateText(t: Translate, status: string | undefined, ended?: { reason: string }): string {
  if (ended) return t('journeyState.ended', { reason: t(`journey.endReason.${ended.reason}`) });
  if (!status) return '—';
  const key = `journeyStatus.${status.toLowerCase().replace(/_/g, '-').replace(/^cancelled$/, 'canceled').replace(/^continued-as-new$/, 'running')}`;
  const text = t(key);
  return text === key ? t('journeyStatus.running') : text;
}
