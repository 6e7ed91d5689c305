import fs from 'node:fs';
import path from 'node:path';
import { Worker } from '@temporalio/worker';
import { historyFromJSON } from '@temporalio/common/lib/proto-utils';
import { testWorkflowBundle } from '../helpers/bundle-setup';

/**
 * Histories recorded from the workflow tests (KOERS_RECORD_HISTORIES=1 npm test) are committed;
 * replaying them against today's code fails CI when a change breaks determinism. The recording
 * writes into `histories/`; before re-recording, the released ones move into a dated folder of
 * their own and stay in the suite, so journeys started by every released version keep replaying.
 */
describe('replay of recorded journey histories', () => {
  const dir = path.join(__dirname, 'histories');
  const files = fs.existsSync(dir) ? (fs.readdirSync(dir, { recursive: true }) as string[]).filter((f) => f.endsWith('.json')).sort() : [];

  it('has recorded histories to replay', () => {
    expect(files.length).toBeGreaterThanOrEqual(5);
  });

  it('replays every recorded history without nondeterminism', async () => {
    const histories = files.map((file) => ({
      workflowId: file.replace(/\.json$/, ''),
      history: historyFromJSON(JSON.parse(fs.readFileSync(path.join(dir, file), 'utf8'))),
    }));
    const failures: string[] = [];
    for await (const result of Worker.runReplayHistories({ workflowBundle: await testWorkflowBundle() }, histories)) {
      if (result.error) failures.push(`${result.workflowId}: ${result.error.message}`);
    }
    expect(failures).toEqual([]);
  });
});
