// The process view in the browser: bpmn-js's read-only NavigatedViewer (pan and zoom, no editing),
// keeping the bpmn.io watermark its licence requires. States and counts come from the page itself.
import NavigatedViewer from 'bpmn-js/lib/NavigatedViewer';

const VOWEL = /[aeiouyàáäèéëïíóöü]/i;
const LETTER = /[a-zà-ÿ]/i;

/**
 * Dutch compounds ("Participatieverklaring") are longer than a task box is wide: bpmn-js then cuts them
 * anywhere. It breaks at a soft hyphen (U+00AD) instead, showing a hyphen, so each long word gets one
 * at its syllable boundaries (before the consonant, or the kl/vr/… cluster, that starts a syllable). Only for drawing:
 * the downloadable file keeps the names as they are.
 */
export function hyphenate(word) {
  if (word.length < 10) return word;
  const consonant = (c) => c !== undefined && LETTER.test(c) && !VOWEL.test(c);
  const breaks = new Set();
  for (let i = 2; i < word.length - 2; i++) {
    // A syllable starts at the consonant before a vowel, or at an onset cluster (kl, vr, gr, …) before it.
    if (!consonant(word[i]) || !VOWEL.test(word[i + 1])) continue;
    let onset = /[lr]/i.test(word[i]) && /[bcdfgkptvw]/i.test(word[i - 1]) ? i - 1 : i;
    if (/h/i.test(word[i]) && /c/i.test(word[i - 1])) onset = /s/i.test(word[i - 2]) ? i - 2 : i - 1;
    if (onset >= 2 && onset <= word.length - 3 && LETTER.test(word[onset - 1])) breaks.add(onset);
  }
  return [...word].map((c, i) => (breaks.has(i) ? `\u00AD${c}` : c)).join('');
}

const hyphenateNames = (xml) => xml.replace(/\sname="([^"]*)"/g, (_m, name) => ` name="${name.replace(/[^\s()/-]+/g, hyphenate)}"`);

async function show() {
  const container = document.getElementById('diagram');
  const dataElement = document.getElementById('process-data');
  if (!container || !dataElement) return;
  const data = JSON.parse(dataElement.textContent || '{}');
  const viewer = new NavigatedViewer({ container });
  const answer = await fetch(data.bpmnUrl, { credentials: 'same-origin' });
  await viewer.importXML(hyphenateNames(await answer.text()));
  const canvas = viewer.get('canvas');
  canvas.zoom('fit-viewport', 'auto');
  // Room around the drawing for the counts hung under the lowest boxes (trial 2 finding 10: the bottom box was cut off).
  const { inner, outer } = canvas.viewbox();
  const pad = 40;
  const scale = Math.min(outer.width / (inner.width + 2 * pad), outer.height / (inner.height + 2 * pad));
  const width = outer.width / scale;
  const height = outer.height / scale;
  canvas.viewbox({ x: inner.x - (width - inner.width) / 2, y: inner.y - (height - inner.height) / 2, width, height });
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
