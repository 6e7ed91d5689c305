/**
 * A municipality's Zaken API settings for the tests (chain/zaken/config.ts): catalogue URLs under a
 * made-up Catalogi API, the RSIN of a test organisation (passes the elfproef), a secret of 32 characters.
 */
import { PHASES } from '../../domain/vocabulary';
import { JOURNEY_ENDS } from '../../domain/journey-end';

const CATALOGI = 'https://catalogi.test.example/api/v1';

/** The KOERS_ZAKEN_CONFIG file's content for `municipalities`, each with the Zaken API at `baseUrl`. */
export function zakenConfigFile(baseUrl: string, municipalities: string[] = ['borger-odoorn']): { municipalities: Record<string, Record<string, unknown>> } {
  return {
    municipalities: Object.fromEntries(
      municipalities.map((municipality) => [
        municipality,
        {
          baseUrl,
          clientId: `koers-${municipality}`,
          secret: 'test-zaken-secret-0123456789abcdef',
          bronorganisatie: '002220647',
          zaaktype: `${CATALOGI}/zaaktypen/inburgering-${municipality}`,
          roltype: `${CATALOGI}/roltypen/belanghebbende-${municipality}`,
          statustypen: Object.fromEntries(PHASES.map((phase) => [phase, `${CATALOGI}/statustypen/${municipality}-${phase}`])),
          eindstatustype: `${CATALOGI}/statustypen/${municipality}-afgerond`,
          resultaattypen: Object.fromEntries(JOURNEY_ENDS.map((end) => [end, `${CATALOGI}/resultaattypen/${municipality}-${end}`])),
        },
      ]),
    ),
  };
}
