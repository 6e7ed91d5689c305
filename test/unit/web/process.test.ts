import { BpmnModdle } from 'bpmn-moddle';
import { CLOCK_ORDER } from '../../../domain/clocks';
import { clockElementId, eventElementId, journeyBpmn } from '../../../web/process/bpmn';
import { MILESTONE_DATA, PROCESS_MILESTONES, processModel } from '../../../web/process/model';
import { eventDataSchema } from '../../../domain/events';
import { translator } from '../../../web/messages';
import type { Regime } from '../../../domain/types';

describe('the journey as a BPMN process, read from the domain', () => {
  it('gives every milestone data its event accepts, so none is dropped from the model', () => {
    const refused = PROCESS_MILESTONES.filter((type) => !eventDataSchema(type).safeParse({ occurredOn: '2024-01-11', ...MILESTONE_DATA[type] }).success);
    expect(refused).toEqual([]);
    const wi2021 = Object.fromEntries(processModel('wi2021').steps.map((s) => [s.clock, s]));
    expect(wi2021['bijstand-decision']!.metBy).toEqual(['nl.koers.bijstand.decided']);
    expect(wi2021.inburgering!.waivedBy).toContain('nl.koers.diploma.recognised');
  });

  it("finds each clock's anchors and settling milestones in the domain's clock definitions", () => {
    const wi2021 = Object.fromEntries(processModel('wi2021').steps.map((s) => [s.clock, s]));
    // Wi2021: the PIP clock starts with the later of BRP registration and DUO's notice (Besluit inburgering 2021 art. 5.3).
    expect(wi2021.pip).toEqual({ clock: 'pip', anchors: ['nl.koers.brp.registered', 'nl.koers.duo.notified'], metBy: ['nl.koers.pip.established'], waivedBy: ['nl.koers.exemption.granted', 'nl.koers.diploma.recognised'] });
    // The plicht is met by exam, PVT and MAP together; exemption waives it.
    expect(wi2021.inburgering!.metBy.sort()).toEqual(['nl.koers.exam.passed', 'nl.koers.map.completed', 'nl.koers.participatieverklaring.signed']);
    expect(wi2021['reintegration-start']!.anchors).toEqual(['nl.koers.intake.held']);
    // Service windows only end.
    expect(wi2021['family-reunification']).toEqual({ clock: 'family-reunification', anchors: [], metBy: [], waivedBy: [] });
    const wi2013 = Object.fromEntries(processModel('wi2013').steps.map((s) => [s.clock, s]));
    // Wi2013: the term runs from the permit; no PIP, MAP or ontzorgen clock.
    expect(wi2013.inburgering!.anchors).toEqual([]);
    expect(Object.keys(wi2013).sort()).toEqual(['bijstand-decision', 'family-reunification', 'inburgering', 'intake', 'maatschappelijke-begeleiding', 'participatieverklaring', 'reintegration-start']);
    expect(wi2013.intake!.metBy).toEqual(['nl.koers.intake.held']);
  });

  it.each<Regime>(['wi2013', 'wi2021'])('%s: BPMN 2.0 that parses back without warnings, one laid-out shape per element', async (regime) => {
    const xml = await journeyBpmn(regime, translator('nl'));
    const { rootElement, warnings, elementsById } = await new BpmnModdle().fromXML(xml);
    expect(warnings).toEqual([]);
    expect(rootElement.$type).toBe('bpmn:Definitions');
    const steps = processModel(regime).steps;
    for (const step of steps) {
      expect(elementsById[clockElementId(step.clock)]).toEqual(expect.objectContaining({ name: translator('nl')(`clock.${step.clock}`) }));
      for (const anchor of step.anchors) {
        // An anchor is either another clock's sole meeting milestone (a flow from that clock) or a message event.
        const fromClock = steps.some((s) => s.metBy.length === 1 && s.metBy[0] === anchor);
        if (!fromClock) expect(elementsById[eventElementId(anchor)]).toBeDefined();
      }
    }
    // Every flow node has a shape and every flow an edge (bpmn-auto-layout), so modelers can open it.
    const process = (rootElement.rootElements as Array<{ $type: string; flowElements: Array<{ id: string; $type: string }> }>).find((e) => e.$type === 'bpmn:Process')!;
    const diagrams = (rootElement as unknown as { diagrams: Array<{ plane: { planeElement: Array<{ bpmnElement: { id: string } }> } }> }).diagrams;
    const drawn = new Set(diagrams[0]!.plane.planeElement.map((e) => e.bpmnElement.id));
    for (const element of process.flowElements) expect(drawn.has(element.id)).toBe(true);
    // Only clocks of the contract appear, with ids that name them.
    const clockIds = process.flowElements.filter((e) => e.id.startsWith('Clock_')).map((e) => e.id);
    expect(clockIds.length).toBe(steps.length);
    for (const id of clockIds) expect(CLOCK_ORDER.map(clockElementId)).toContain(id);
  });

  it('labels the diagram in the language asked for', async () => {
    const en = await journeyBpmn('wi2021', translator('en'));
    expect(en).toContain('name="Residence permit granted"');
    expect(await journeyBpmn('wi2021', translator('nl'))).toContain('name="Verblijfsvergunning verleend"');
  });
});
