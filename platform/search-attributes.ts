import { defineSearchAttributeKey, SearchAttributeType, type SearchAttributeUpdatePair } from '@temporalio/common';
import type { Caseworker, LocalDate, Phase, Regime } from '../domain/types';

/**
 * Custom search attributes of a journey. None carries personal data: municipality, phase, regime,
 * the next final date, the overdue flag and the caseworker role/id are about the case, not the person.
 */
export const municipalityKey = defineSearchAttributeKey('KoersMunicipality', SearchAttributeType.KEYWORD);
export const phaseKey = defineSearchAttributeKey('KoersPhase', SearchAttributeType.KEYWORD);
export const regimeKey = defineSearchAttributeKey('KoersRegime', SearchAttributeType.KEYWORD);
export const nextFinalDateKey = defineSearchAttributeKey('KoersNextFinalDate', SearchAttributeType.DATETIME);
export const overdueKey = defineSearchAttributeKey('KoersOverdue', SearchAttributeType.BOOL);
export const caseworkerRoleKey = defineSearchAttributeKey('KoersCaseworkerRole', SearchAttributeType.KEYWORD);
export const caseworkerIdKey = defineSearchAttributeKey('KoersCaseworkerId', SearchAttributeType.KEYWORD);

export const journeySearchAttributes = [
  municipalityKey,
  phaseKey,
  regimeKey,
  nextFinalDateKey,
  overdueKey,
  caseworkerRoleKey,
  caseworkerIdKey,
] as const;

/** What lists and filters know of a journey: the case, never the person. */
export interface JourneySearchSummary {
  municipality: string;
  phase: Phase;
  regime: Regime;
  /** The earliest final date still to be met (domain/clocks.ts nextFinalDate), if any. */
  nextFinalDate?: LocalDate;
  overdue: boolean;
  caseworker: Caseworker;
}

/**
 * The journey's search attributes as typed pairs, the one way both the API (at start) and the
 * workflow (on every change) set them. An absent value is a `null` pair, which removes the attribute.
 */
export function journeySearchAttributePairs(summary: JourneySearchSummary): SearchAttributeUpdatePair[] {
  return [
    { key: municipalityKey, value: summary.municipality },
    { key: phaseKey, value: summary.phase },
    { key: regimeKey, value: summary.regime },
    { key: nextFinalDateKey, value: summary.nextFinalDate ? new Date(`${summary.nextFinalDate}T00:00:00Z`) : null },
    { key: overdueKey, value: summary.overdue },
    { key: caseworkerRoleKey, value: summary.caseworker.role },
    { key: caseworkerIdKey, value: summary.caseworker.id ?? null },
  ];
}

const cliTypeNames: Record<SearchAttributeType, string> = {
  [SearchAttributeType.TEXT]: 'Text',
  [SearchAttributeType.KEYWORD]: 'Keyword',
  [SearchAttributeType.INT]: 'Int',
  [SearchAttributeType.DOUBLE]: 'Double',
  [SearchAttributeType.BOOL]: 'Bool',
  [SearchAttributeType.DATETIME]: 'Datetime',
  [SearchAttributeType.KEYWORD_LIST]: 'KeywordList',
};

/** `--search-attribute Name=Type` arguments for `temporal server start-dev` and `temporal operator`. */
export function searchAttributeCliArgs(): string[] {
  return journeySearchAttributes.flatMap((key) => ['--search-attribute', `${key.name}=${cliTypeNames[key.type]}`]);
}
