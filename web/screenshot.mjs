// Saves a screenshot of the page showing one user's neighbourhood, for the README:
//   node web/screenshot.mjs [--url http://127.0.0.1:4000] [--handle 110] [--model cosine] [--out docs/screenshots/neighbourhood.png]
//                           [--width 1360] [--height 860] [--viewport-only] (else the whole page)
// It needs a running server (`npm start` or `npm run serve`) and Debian's chromium (scripts/ensure-chromium.sh).
import path from 'node:path';
import { parseArgs } from 'node:util';
import { chromium } from 'playwright-core';

const { values } = parseArgs({
  options: {
    url: { type: 'string', default: 'http://127.0.0.1:4000' },
    handle: { type: 'string', default: '110' },
    model: { type: 'string', default: 'cosine' },
    out: { type: 'string', default: path.join('docs', 'screenshots', 'neighbourhood.png') },
    width: { type: 'string', default: '1360' },
    height: { type: 'string', default: '860' },
    'viewport-only': { type: 'boolean', default: false },
  },
});

const browser = await chromium.launch({
  executablePath: '/usr/bin/chromium',
  headless: true,
  args: [
    '--headless',
    '--no-sandbox',
    '--disable-gpu',
    '--disable-quic',
    '--no-first-run',
    '--disable-background-networking',
    '--disable-component-update',
    '--disable-sync',
  ],
});
try {
  const page = await browser.newPage({
    viewport: { width: Number(values.width), height: Number(values.height) },
    deviceScaleFactor: 1,
  });
  const url = `${values.url}/?handle=${encodeURIComponent(values.handle)}&model=${encodeURIComponent(values.model)}`;
  await page.goto(url);
  await page.locator(`#graph .user.centre[data-handle="${values.handle}"]`).waitFor({ timeout: 20_000 });
  await page.locator('body:not([aria-busy])').waitFor();
  await page.screenshot({ path: values.out, fullPage: !values['viewport-only'] });
  process.stdout.write(`Saved ${values.out} (${url})\n`);
} finally {
  await browser.close();
}
