// The dashboard's charts (Chart.js, bundled and served by Koers). The same figures are in the tables
// under the charts, which are the text alternative.
import { Chart, BarController, BarElement, CategoryScale, LinearScale, Legend, Tooltip } from 'chart.js';

Chart.register(BarController, BarElement, CategoryScale, LinearScale, Legend, Tooltip);

const COLOURS = ['#154273', '#1b6e2b', '#8a4b00', '#b00020', '#5b3a87'];

function share(s) {
  return s.total === 0 ? null : Math.round((s.yes / s.total) * 1000) / 10;
}

let locale = 'nl-NL';

function bar(id, labels, datasets, options = {}) {
  const canvas = document.getElementById(id);
  if (!canvas) return;
  // eslint-disable-next-line no-new
  new Chart(canvas, {
    type: 'bar',
    data: { labels, datasets: datasets.map((d, i) => ({ backgroundColor: COLOURS[i % COLOURS.length], ...d })) },
    options: { locale, responsive: true, maintainAspectRatio: false, animation: false, scales: { y: { beginAtZero: true, ...(options.max ? { max: options.max } : {}) } } },
  });
}

function draw() {
  const element = document.getElementById('dashboard-data');
  if (!element) return;
  const { stats, labels, lang } = JSON.parse(element.textContent || '{}');
  // Numbers, months and places as the page's language writes them (the server names them).
  locale = lang === 'en' ? 'en-GB' : 'nl-NL';
  const months = labels.months ?? stats.months.map((b) => b.key);
  const places = labels.places ?? stats.municipalities.map((b) => b.key);
  bar('chart-permit-to-intake', months, [{ label: labels.days, data: stats.months.map((b) => b.permitToIntakeMedianDays ?? null) }]);
  bar('chart-reintegration', places, [{ label: `% ${labels.share}`, data: stats.municipalities.map((b) => share(b.reintegrationWithin3Months)) }], { max: 100 });
  bar('chart-pvt', places, [{ label: `% ${labels.share}`, data: stats.municipalities.map((b) => share(b.participatieverklaringOnTime)) }], { max: 100 });
  bar('chart-overdue', places, [{ label: labels.overdue, data: stats.municipalities.map((b) => b.overdueClocks) }]);
  bar('chart-deadlines', places, [
    { label: labels.within[0], data: stats.municipalities.map((b) => b.deadlines.within30) },
    { label: labels.within[1], data: stats.municipalities.map((b) => b.deadlines.within60) },
    { label: labels.within[2], data: stats.municipalities.map((b) => b.deadlines.within90) },
  ]);
  document.body.dataset.chartsReady = 'true';
}

draw();
