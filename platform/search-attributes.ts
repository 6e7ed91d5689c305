import { defineSearchAttributeKey, SearchAttributeType } from '@temporalio/common';

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
