/**
 * Static assets, all served by Koers (no CDN): the NL Design System CSS from its npm package, bpmn-js's
 * CSS and font, our own CSS, and two browser bundles built by esbuild from web/client/ on first request
 * and kept in memory (so `npm start` needs no build step and the Docker image no dev tools).
 */
import path from 'node:path';
import express from 'express';
import { execFile } from 'node:child_process';

const ENTRIES = { 'process.js': 'process.js', 'dashboard.js': 'dashboard.js' } as const;
type Bundle = keyof typeof ENTRIES;

const bundles = new Map<Bundle, Promise<string>>();

/**
 * The minified bundle of a client entry (web/client/<name>), built once per process. esbuild runs in
 * a child process: its in-process API refuses to run inside test sandboxes (jest's vm contexts).
 */
export function bundle(name: Bundle): Promise<string> {
  let built = bundles.get(name);
  if (!built) {
    const options = {
      entryPoints: [path.join(__dirname, 'client', ENTRIES[name])],
      bundle: true,
      minify: true,
      format: 'iife',
      target: 'es2020',
      write: false,
      legalComments: 'eof',
      logLevel: 'silent',
    };
    const script = `require('esbuild').build(${JSON.stringify(options)}).then((r) => process.stdout.write(r.outputFiles[0].text), (e) => { console.error(e.message); process.exit(1); })`;
    built = new Promise<string>((resolve, reject) => {
      execFile(process.execPath, ['-e', script], { cwd: path.join(__dirname, '..'), maxBuffer: 64 * 1024 * 1024 }, (err, stdout, stderr) =>
        err ? reject(new Error(`bundling ${name} failed: ${stderr || err.message}`)) : resolve(stdout),
      );
    });
    bundles.set(name, built);
    // A failed build is not cached: the next request tries again.
    built.catch(() => bundles.delete(name));
  }
  return built;
}

/**
 * Builds every bundle now, in the background, so the first page that needs one does not wait for
 * esbuild (seconds: the process view's first load). A failure is left to the first request, which tries again.
 */
export function warmBundles(): void {
  for (const name of Object.keys(ENTRIES) as Bundle[]) bundle(name).catch(() => undefined);
}

export function assetRouter(): express.Router {
  const router = express.Router();
  const cache = { maxAge: '1h' };
  const file = (name: string, absolute: string) => router.get(`/${name}`, (_req, res) => res.sendFile(absolute, cache));
  file('utrecht.css', require.resolve('@utrecht/component-library-css/dist/index.css'));
  file('koers-theme.css', path.join(__dirname, 'assets', 'koers-theme.css'));
  file('app.css', path.join(__dirname, 'assets', 'app.css'));
  // Every page names it (layout.ts), so no browser asks for a /favicon.ico that is not there.
  file('favicon.svg', path.join(__dirname, 'assets', 'favicon.svg'));
  const bpmnAssets = path.dirname(require.resolve('bpmn-js/dist/assets/bpmn-js.css'));
  router.use('/bpmn', express.static(bpmnAssets, { index: false, ...cache }));
  for (const name of Object.keys(ENTRIES) as Bundle[]) {
    router.get(`/${name}`, async (_req, res) => {
      res.type('application/javascript').set('Cache-Control', 'max-age=3600').send(await bundle(name));
    });
  }
  return router;
}
