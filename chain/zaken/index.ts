/**
 * The journey as a zaak in the municipality's zaak registration (ZGW Zaken API 1.5.1; issue 23): the one
 * door to chain/zaken. docs/chain.md ("Zaken API") describes the configuration, the mapping and the
 * failure modes.
 *
 * - {@link loadZakenConfig}: KOERS_ZAKEN_CONFIG, checked at start.
 * - {@link ZaakRegistration}: a journey step queues its zaak's changes in its own transaction
 *   (activities/journey-sync.ts); an erasure ends and archives the zaak (a store/retention.ts step).
 * - {@link createZakenChannel}: the outbox channel `zaken` that delivers them (store/dispatcher.ts).
 */
export { loadZakenConfig, parseZakenConfig, isValidRsin, ZakenConfigError, type ZakenConfig, type ZakenMunicipality } from './config';
export { ZaakRegistration, KeptZaken, ZAKEN_CHANNEL, type KeptZaak } from './registration';
export { createZakenChannel, type ZakenChannelOptions, type BsnSent } from './channel';
export { ZakenClient, ZakenApiError, ZAKEN_OPERATIONS, type ZakenOperation } from './client';
export { planStep, zaakIdentificatie, type ZaakMessage, type JourneyStep, type ZaakRecord, type ZaakPlan } from './plan';
