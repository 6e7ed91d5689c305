/**
 * The outbox channel `zaken`: delivers one zaak message (./plan.ts) to the municipality's Zaken API
 * (./client.ts). Throwing means "not delivered": the dispatcher retries with back-off and, after its
 * last attempt, keeps the message as a dead letter for the administrator (GET /v1/dead-letters); the
 * zaak's later messages wait behind it (store/dispatcher.ts sequences).
 *
 * Idempotent against a lost answer (the call went through, its answer did not come back, the message
 * is sent again): each change is looked up before it is made.
 * - create: `GET /zaken?identificatie=&bronorganisatie=`; a zaak with that identificatie and
 *   bronorganisatie is the one made before (an answer whose zaken do not match is not taken for it);
 * - rol: `GET /rollen?zaak=&roltype=&betrokkeneType=natuurlijk_persoon` with the same BSN;
 * - status: `GET /statussen?zaak=&statustype=` with the same datumStatusGezet;
 * - resultaat: `GET /resultaten?zaak=`: the same resultaattype is there, or the zaak's one is changed;
 * - a PATCH sets the same fields again.
 */
import type { Channel } from '../../store/dispatcher';
import type { OutboxMessage } from '../../store/outbox';
import type { ZakenConfig, ZakenMunicipality } from './config';
import { ZakenClient, uuidOf } from './client';
import type { KeptZaak, KeptZaken } from './registration';
import type { ZaakMessage } from './plan';
import type { ProcessingLog } from '../../processing-log';

export interface ZakenChannelOptions {
  config: ZakenConfig;
  zaken: KeptZaken;
  /** Opens a sealed BSN (api/identity.ts `Identity.decryptBsn`). */
  /** Opens a BSN sealed for `journeyId` (api/identity.ts decryptBsn). */
  unsealBsn: (sealed: string, journeyId: string) => string;
  /**
   * The processing log: each delivery of the person's rol (the zaak registration that carries the BSN)
   * is one record of activity `zaak-registration`, ok or error, with the Zaken API's operation as
   * `foreign_operation` when it answers with a `traceparent`. Absent: nothing is recorded (tests of the mapping).
   */
  processingLog?: ProcessingLog;
  fetch?: typeof fetch;
  /** Per request (default 10 s); well under the dispatcher's lease. */
  timeoutMs?: number;
}

/** What the Zaken API learns of Koers's journey in free text: nothing personal, the kind of case. */
const OMSCHRIJVING = 'Inburgering en participatie statushouder';
const ROLTOELICHTING = 'Statushouder (inburgeringsplichtige of betrokkene van de reis in Koers)';

export function createZakenChannel(options: ZakenChannelOptions): Channel {
  const clients = new Map<string, ZakenClient>();
  const clientFor = (municipality: string): { client: ZakenClient; settings: ZakenMunicipality } => {
    const settings = options.config.municipalities[municipality];
    if (!settings) throw new Error(`no Zaken API configured for municipality ${municipality} (KOERS_ZAKEN_CONFIG)`);
    let client = clients.get(municipality);
    if (!client) clients.set(municipality, (client = new ZakenClient(settings, { fetch: options.fetch, timeoutMs: options.timeoutMs })));
    return { client, settings };
  };

  return {
    async send(outboxMessage: OutboxMessage) {
      const message = outboxMessage.payload as ZaakMessage;
      const zaak = await options.zaken.get(message.zaakId);
      // An erased journey's zaak that was never created was forgotten with its messages; nothing is left to do.
      if (!zaak) return;
      const { client, settings } = clientFor(message.municipality);
      if (message.kind === 'zaak-create') {
        const found = (await client.listZaken(message.identificatie, settings.bronorganisatie)).body.find(
          (z) => z.identificatie === message.identificatie && z.bronorganisatie === settings.bronorganisatie,
        );
        const created =
          found ??
          (
            await client.createZaak({
              identificatie: message.identificatie,
              bronorganisatie: settings.bronorganisatie,
              verantwoordelijkeOrganisatie: settings.verantwoordelijkeOrganisatie ?? settings.bronorganisatie,
              zaaktype: settings.zaaktype,
              omschrijving: OMSCHRIJVING,
              startdatum: message.startdatum,
              ...(message.uiterlijkeEinddatumAfdoening ? { uiterlijkeEinddatumAfdoening: message.uiterlijkeEinddatumAfdoening } : {}),
              kenmerken: [{ kenmerk: message.journeyId, bron: 'Koers' }],
            })
          ).body;
        await options.zaken.created(zaak.id, created.url, uuidOf(created));
        return;
      }
      const { url, uuid } = existing(zaak);
      switch (message.kind) {
        case 'zaak-rol': {
          const bsn = options.unsealBsn(message.bsnSealed, message.journeyId ?? '');
          const registerRol = async (traceparent?: string): Promise<{ traceId: string; operationId: string } | undefined> => {
            const rollen = await client.listRollen(url, settings.roltype, traceparent);
            if (rollen.body.some((r) => r.zaak === url && r.betrokkeneIdentificatie?.inpBsn === bsn)) return rollen.foreign;
            const created = await client.createRol({ zaak: url, betrokkeneType: 'natuurlijk_persoon', roltype: settings.roltype, roltoelichting: ROLTOELICHTING, betrokkeneIdentificatie: { inpBsn: bsn } }, traceparent);
            return created.foreign ?? rollen.foreign;
          };
          if (!options.processingLog) {
            await registerRol();
            return;
          }
          await options.processingLog.around(
            { activity: 'zaak-registration', name: 'Zaken API POST /rollen (rol_create)', subject: { bsn, ...(zaak.journeyId ? { journeyId: zaak.journeyId } : {}) }, actor: 'koers' },
            async (op) => {
              const foreign = await registerRol(op.traceparent());
              if (foreign) op.linkForeign({ ...foreign, entity: settings.baseUrl });
            },
          );
          return;
        }
        case 'zaak-status':
          await setStatus(client, url, settings.statustypen[message.phase as keyof ZakenMunicipality['statustypen']], message.datumStatusGezet);
          return;
        case 'zaak-update':
          await client.patchZaak(uuid, { uiterlijkeEinddatumAfdoening: message.uiterlijkeEinddatumAfdoening });
          return;
        case 'zaak-end': {
          // The resultaat first: the Zaken API closes a zaak by its eindstatus only when it has a resultaat.
          const resultaattype = settings.resultaattypen[message.end];
          const resultaten = (await client.listResultaten(url)).body.filter((r) => r.zaak === url);
          if (!resultaten.some((r) => r.resultaattype === resultaattype)) {
            if (resultaten[0]) await client.patchResultaat(uuidOf(resultaten[0]), { resultaattype });
            else await client.createResultaat({ zaak: url, resultaattype });
          }
          await setStatus(client, url, settings.eindstatustype, message.datumStatusGezet);
          return;
        }
        case 'zaak-archive': {
          // The Archiefwet before Koers's erasure: a dossier to be kept for good stays as it is.
          const current = (await client.getZaak(uuid)).body;
          if (current.archiefnominatie !== 'blijvend_bewaren') {
            const date = current.archiefactiedatum && current.archiefactiedatum < message.archiefactiedatum ? current.archiefactiedatum : message.archiefactiedatum;
            await client.patchZaak(uuid, { archiefnominatie: 'vernietigen', archiefactiedatum: date });
          }
          await options.zaken.forget(zaak.id);
          return;
        }
        default:
          throw new Error(`unknown zaak message ${(message as { kind: string }).kind}`);
      }
    },
  };
}

function existing(zaak: KeptZaak): { url: string; uuid: string } {
  // Sequenced after the create, so only a create that was dropped (an erasure) leaves it empty.
  if (!zaak.zaakUrl || !zaak.zaakUuid) throw new Error('the zaak was not created at the Zaken API yet');
  return { url: zaak.zaakUrl, uuid: zaak.zaakUuid };
}

async function setStatus(client: ZakenClient, zaak: string, statustype: string | undefined, datumStatusGezet: string): Promise<void> {
  if (!statustype) throw new Error('no statustype configured for this phase');
  const at = Date.parse(datumStatusGezet);
  const statussen = (await client.listStatussen(zaak, statustype)).body;
  if (statussen.some((s) => s.zaak === zaak && s.statustype === statustype && Date.parse(s.datumStatusGezet ?? '') === at)) return;
  await client.createStatus({ zaak, statustype, datumStatusGezet });
}
