/**
 * The journey's BPMN 2.0 diagram, built from the process model (model.ts) with bpmn-moddle and laid
 * out with bpmn-auto-layout, so it opens in any BPMN modeler. Element ids are stable and name the
 * domain's things (`Clock_<clock>`, `Event_<event type>`), so the live state of a journey and the
 * counts over all journeys can be drawn on it by id.
 */
import { BpmnModdle } from 'bpmn-moddle';
import { layoutProcess } from 'bpmn-auto-layout';
import { isWindowClock } from '../../domain/clocks';
import type { EventType } from '../../domain/events';
import type { ClockName, Regime } from '../../domain/types';
import type { Translate } from '../messages';
import { processModel, type ClockStep } from './model';

export const clockElementId = (clock: ClockName): string => `Clock_${clock.replace(/-/g, '_')}`;
export const eventElementId = (type: EventType): string => `Event_${type.replace(/^nl\.koers\./, '').replace(/[.-]/g, '_')}`;

type Element = Record<string, unknown> & { id: string; incoming?: Element[]; outgoing?: Element[] };

/**
 * The diagram of a regime as BPMN 2.0 XML (with DI), labels in the translator's language.
 * Shape: start (permit) → parallel fork → one task per clock; a clock waits for its anchors: a
 * milestone that alone meets another clock is drawn as that clock's outgoing flow, any other anchor
 * as a message catch event; several anchors join in a parallel gateway; the last clocks join to the end.
 */
export async function journeyBpmn(regime: Regime, t: Translate): Promise<string> {
  const moddle = new BpmnModdle();
  const model = processModel(regime);
  const elements: Element[] = [];
  const flows: Element[] = [];
  const add = <T extends Element>(type: string, props: T): T => {
    const element = moddle.create(type, props) as unknown as T;
    elements.push(element);
    return element;
  };
  const connect = (from: Element, to: Element): void => {
    const flow = moddle.create('bpmn:SequenceFlow', { id: `Flow_${from.id}_${to.id}`, sourceRef: from, targetRef: to }) as unknown as Element;
    (from.outgoing ??= []).push(flow);
    (to.incoming ??= []).push(flow);
    flows.push(flow);
  };
  const events = (types: EventType[]) => types.map((type) => t(`event.${type}`)).join(', ');

  const start = add('bpmn:StartEvent', { id: 'Start_permit', name: t('process.start') });
  const fork = add('bpmn:ParallelGateway', { id: 'Gateway_fork', name: t('process.fork') });
  connect(start, fork);

  const soleMeeter = new Map<EventType, ClockStep>();
  for (const step of model.steps) if (step.metBy.length === 1) soleMeeter.set(step.metBy[0]!, step);

  const clocks = new Map<ClockName, Element>();
  for (const step of model.steps) {
    const notes = [
      step.metBy.length ? t('process.metBy', { events: events(step.metBy) }) : t('process.window'),
      ...(step.waivedBy.length ? [t('process.waivedBy', { events: events(step.waivedBy) })] : []),
    ];
    clocks.set(
      step.clock,
      add(isWindowClock(step.clock) ? 'bpmn:Task' : 'bpmn:UserTask', {
        id: clockElementId(step.clock),
        name: t(`clock.${step.clock}`),
        documentation: [moddle.create('bpmn:Documentation', { text: notes.join('\n') })],
      }),
    );
  }

  const messageEvents = new Map<EventType, Element>();
  const messageEvent = (type: EventType): Element => {
    let element = messageEvents.get(type);
    if (!element) {
      element = add('bpmn:IntermediateCatchEvent', {
        id: eventElementId(type),
        name: t(`event.${type}`),
        eventDefinitions: [moddle.create('bpmn:MessageEventDefinition', { id: `${eventElementId(type)}_message` })],
      });
      messageEvents.set(type, element);
      connect(fork, element);
    }
    return element;
  };

  for (const step of model.steps) {
    const clock = clocks.get(step.clock)!;
    const sources = step.anchors.map((type) => {
      const predecessor = soleMeeter.get(type);
      return predecessor && predecessor.clock !== step.clock ? clocks.get(predecessor.clock)! : messageEvent(type);
    });
    if (sources.length === 0) connect(fork, clock);
    else if (sources.length === 1) connect(sources[0]!, clock);
    else {
      const join = add('bpmn:ParallelGateway', { id: `Gateway_join_${clock.id}`, name: t('process.join') });
      for (const source of sources) connect(source, join);
      connect(join, clock);
    }
  }

  const end = add('bpmn:EndEvent', { id: 'End_journey', name: t('process.end') });
  const last = [...clocks.values()].filter((c) => !c.outgoing?.length);
  const endJoin = add('bpmn:ParallelGateway', { id: 'Gateway_end', name: t('process.join') });
  for (const clock of last) connect(clock, endJoin);
  connect(endJoin, end);

  const process = moddle.create('bpmn:Process', { id: `Process_journey_${regime}`, name: `Koers ${regime}`, isExecutable: false, flowElements: [...elements, ...flows] });
  const definitions = moddle.create('bpmn:Definitions', {
    id: `Definitions_journey_${regime}`,
    targetNamespace: 'https://koers.example/bpmn',
    exporter: 'Koers',
    exporterVersion: '1',
    rootElements: [process],
  });
  const { xml } = await moddle.toXML(definitions, { format: true });
  return layoutProcess(xml);
}
