// bpmn-moddle and bpmn-auto-layout publish their types behind package `exports`, which this
// project's `moduleResolution: node` does not read; the little used here is declared instead.
declare module 'bpmn-moddle' {
  export class BpmnModdle {
    constructor();
    create(type: string, props?: Record<string, unknown>): Record<string, unknown>;
    toXML(element: unknown, options?: { format?: boolean }): Promise<{ xml: string }>;
    fromXML(xml: string, type?: string): Promise<{ rootElement: Record<string, unknown> & { rootElements?: unknown[] }; warnings: Array<{ message: string }>; elementsById: Record<string, unknown> }>;
  }
}
declare module 'bpmn-auto-layout' {
  export function layoutProcess(xml: string): Promise<string>;
}
