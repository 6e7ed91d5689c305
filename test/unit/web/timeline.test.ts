import { clockTimeline } from '../../../web/pages/journey';
import { translator } from '../../../web/messages';
import type { Clock } from '../../../domain/types';

/** The "today" label of the clock chart: its anchor and the text it draws. */
function todayLabel(clocks: Clock[], today: string): { anchor: string; x: number; text: string } {
  const svg = String(clockTimeline(translator('nl'), clocks, today));
  const m = /<text x="([\d.]+)" y="[\d.]+" text-anchor="(\w+)" fill="#b00020">([^<]*)<\/text>/.exec(svg);
  if (!m) throw new Error(`no today label in ${svg}`);
  return { x: Number(m[1]), anchor: m[2]!, text: m[3]! };
}

const family: Clock = { name: 'family-reunification', status: 'ended', startsOn: '2026-01-10', targetDate: '2026-03-10', finalDate: '2026-04-10' };

describe('the clock chart on the journey page', () => {
  // Trial 2 finding 10: with today at the chart's right end, "Vandaag 7 december 2026" was cut off ("Vandaag 7 dece").
  it("keeps today's label inside the chart at either end", () => {
    expect(todayLabel([family], '2026-12-07')).toEqual({ x: expect.any(Number), anchor: 'end', text: 'Vandaag 7 december 2026' });
    expect(todayLabel([family], '2025-12-20').anchor).toBe('start');
    expect(todayLabel([family], '2026-03-01').anchor).toBe('middle');
  });
});
