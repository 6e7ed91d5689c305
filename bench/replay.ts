/**
 * What a cache miss costs the worker: a journey outside the sticky cache replays its run's whole
 * history on its next workflow task. Replays each recorded journey history of the replay suite
 * (test/workflow/histories/*.json, the current version's) `times` times in this process with the
 * journey workflow's bundle (Worker.runReplayHistories, the codec of the tests) and reports the CPU
 * time (user + system, ms) per replay, and a least-squares line through them: fixed ms per replay
 * plus ms per history event. The bundling is outside the measured time.
 *
 * `node -r @swc-node/register bench/replay.ts [times]` prints the figures as JSON.
 */
import fs from 'node:fs';
import path from 'node:path';
import { Runtime, Worker } from '@temporalio/worker';
import { historyFromJSON } from '@temporalio/common/lib/proto-utils';
import { bundleWorkflows } from '../worker';
import { testDataConverter } from '../test/helpers/codec';

export interface ReplayCost {
  history: string;
  events: number;
  replays: number;
  cpuMsPerReplay: number;
}

export async function measureReplayCost(times: number): Promise<{ histories: ReplayCost[]; fixedCpuMsPerReplay: number; cpuMsPerHistoryEvent: number }> {
  const dir = path.resolve(__dirname, '../test/workflow/histories');
  const files = fs.readdirSync(dir).filter((f) => f.endsWith('.json')).sort();
  const bundle = await bundleWorkflows();
  const workflowBundle = { code: 'code' in bundle ? bundle.code : '' };
  const histories: ReplayCost[] = [];
  for (const file of files) {
    const json = JSON.parse(fs.readFileSync(path.join(dir, file), 'utf8')) as { events: unknown[] };
    const runs = Array.from({ length: times }, (_, i) => ({ workflowId: `${file}-${i}`, history: historyFromJSON(json) }));
    // One round first so the comparison is between warm replays, as on a worker that has been running.
    for await (const result of Worker.runReplayHistories({ workflowBundle, dataConverter: testDataConverter }, runs.slice(0, 3))) if (result.error) throw result.error;
    const before = process.cpuUsage();
    for await (const result of Worker.runReplayHistories({ workflowBundle, dataConverter: testDataConverter }, runs)) if (result.error) throw result.error;
    const used = process.cpuUsage(before);
    histories.push({ history: file.replace(/\.json$/, ''), events: json.events.length, replays: times, cpuMsPerReplay: Math.round((used.user + used.system) / 1000 / times * 10) / 10 });
  }
  // Least squares: cpu = fixed + perEvent × events.
  const n = histories.length;
  const mx = histories.reduce((a, h) => a + h.events, 0) / n;
  const my = histories.reduce((a, h) => a + h.cpuMsPerReplay, 0) / n;
  const slope = histories.reduce((a, h) => a + (h.events - mx) * (h.cpuMsPerReplay - my), 0) / Math.max(1e-9, histories.reduce((a, h) => a + (h.events - mx) ** 2, 0));
  return { histories, fixedCpuMsPerReplay: Math.round((my - slope * mx) * 10) / 10, cpuMsPerHistoryEvent: Math.round(slope * 1000) / 1000 };
}

if (require.main === module) {
  Runtime.install({ logger: { log: () => undefined, trace: () => undefined, debug: () => undefined, info: () => undefined, warn: () => undefined, error: (m: string) => console.error(m) } });
  measureReplayCost(Number(process.argv[2] ?? 50))
    .then((result) => {
      console.log(JSON.stringify(result, null, 2));
      process.exit(0);
    })
    .catch((err: unknown) => {
      console.error(err);
      process.exit(1);
    });
}
