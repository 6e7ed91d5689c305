import fs from 'node:fs';
import type { MetaDeps } from '../api/meta';
import type { InstanceStore } from '../store/instance';

/**
 * /health's store-write probe and disk space (api/meta.ts); `embedded`: the data lives under `dataDir`
 * (SQLite, the embedded Temporal server), so its disk is checked. A change of either is logged once (error
 * when it goes wrong, info when it recovers), so a full disk is in Koers's log and not only in /health.
 */
export function healthProbes(config: { dataDir: string; minFreeDiskMb: number; embedded: boolean }, instance: InstanceStore, logger: { info(obj: object, msg: string): void; error(obj: object, msg: string): void }): Pick<MetaDeps, 'probeStoreWrite' | 'diskSpace'> {
  let storeFailing = false;
  let diskLow = false;
  return {
    probeStoreWrite: async () => {
      try {
        await instance.probeWrite();
        if (storeFailing) logger.info({}, 'store takes writes again');
        storeFailing = false;
      } catch (err) {
        if (!storeFailing) logger.error({ err: { name: (err as Error).name, code: (err as { code?: string }).code, message: (err as Error).message?.split('\n')[0] } }, 'store write failed (is the disk full?): /health answers 503');
        storeFailing = true;
        throw err;
      }
    },
    // The data directory's disk matters where the data lives there (SQLite, the embedded Temporal server).
    ...(config.embedded && config.minFreeDiskMb > 0
      ? {
          diskSpace: () => {
            const stats = fs.statfsSync(config.dataDir);
            const space = { freeBytes: stats.bavail * stats.bsize, minFreeBytes: config.minFreeDiskMb * 2 ** 20 };
            const low = space.freeBytes < space.minFreeBytes;
            if (low && !diskLow) logger.error({ dataDir: config.dataDir, freeMb: Math.floor(space.freeBytes / 2 ** 20), minFreeMb: config.minFreeDiskMb }, 'disk space low under KOERS_DATA_DIR: /health degraded');
            if (!low && diskLow) logger.info({ dataDir: config.dataDir }, 'disk space under KOERS_DATA_DIR above the minimum again');
            diskLow = low;
            return space;
          },
        }
      : {}),
  };
}

