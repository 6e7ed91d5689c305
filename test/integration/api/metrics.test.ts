import http from 'node:http';
import request from 'supertest';
import { prometheusScraper } from '../../../api/metrics';
import { apiHarness } from './harness';

describe('/metrics', () => {
  it('appends the worker exporter’s metrics, and shrugs off an absent one', async () => {
    const exporter = http.createServer((_req, res) => res.end('# TYPE temporal_worker_task_slots_available gauge\ntemporal_worker_task_slots_available 5\n'));
    await new Promise<void>((resolve) => exporter.listen(0, '127.0.0.1', resolve));
    const port = (exporter.address() as { port: number }).port;
    try {
      expect(await prometheusScraper(`http://127.0.0.1:${port}/metrics`)()).toContain('temporal_worker_task_slots_available 5');
      expect(await prometheusScraper('http://127.0.0.1:9/metrics', 200)()).toBe('');
    } finally {
      exporter.close();
    }
  });

  it('serves process, HTTP and Temporal client metrics without credentials', async () => {
    const h = await apiHarness();
    try {
      await h.as('admin').get('/v1/journeys/count');
      // No row in the read model: Temporal is asked (a describe), and says there is no such journey.
      expect((await h.as('admin').get('/v1/journeys/j-nosuchjourney000000000')).status).toBe(404);
      const res = await request(h.app).get('/metrics');
      expect(res.status).toBe(200);
      expect(res.headers['content-type']).toMatch(/^text\/plain/);
      expect(res.text).toContain('koers_api_process_cpu_seconds_total');
      expect(res.text).toMatch(/koers_http_request_duration_seconds_bucket\{le="[^"]+",method="GET",route="\/v1\/journeys\/count",status="200"\}/);
      expect(res.text).toMatch(/koers_temporal_client_request_duration_seconds_count\{operation="describe"\} 1/);
    } finally {
      await h.stop();
    }
  });
});
