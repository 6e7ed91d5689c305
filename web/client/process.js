// The process view in the browser: bpmn-js's read-only NavigatedViewer (pan and zoom, no editing),
// keeping the bpmn.io watermark its licence requires. States and counts come from the page itself.
import NavigatedViewer from 'bpmn-js/lib/NavigatedViewer';

async function show() {
  const container = document.getElementById('diagram');
  const dataElement = document.getElementById('process-data');
  if (!container || !dataElement) return;
  const data = JSON.parse(dataElement.textContent || '{}');
  const viewer = new NavigatedViewer({ container });
  const answer = await fetch(data.bpmnUrl, { credentials: 'same-origin' });
  await viewer.importXML(await answer.text());
  const canvas = viewer.get('canvas');
  canvas.zoom('fit-viewport', 'auto');
  for (const [id, state] of Object.entries(data.states || {})) {
    try {
      canvas.addMarker(id, `koers-${state}`);
    } catch {
      // An element this diagram does not have (another regime's step): nothing to mark.
    }
  }
  const overlays = viewer.get('overlays');
  for (const [id, text] of Object.entries(data.overlays || {})) {
    const label = document.createElement('div');
    label.className = 'koers-overlay';
    label.textContent = text;
    try {
      overlays.add(id, { position: { bottom: 14, left: 0 }, html: label });
    } catch {
      // As above.
    }
  }
  container.dataset.ready = 'true';
}

show().catch((err) => {
  const container = document.getElementById('diagram');
  if (container) {
    container.dataset.error = String(err && err.message ? err.message : err);
    container.textContent = String(err);
  }
});
