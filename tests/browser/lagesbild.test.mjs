// Issue 3, "done when": a reporter on a phone reports klotter at Stortorget in Trelleborg in a
// few taps; the coordinator sees it in this week's joint picture, drills down to it, exports
// CSV and prints the weekly report; a police events file is imported and its events appear as
// context. Every page passes axe.
import { test } from 'node:test';
import assert from 'node:assert/strict';
import { readFileSync, writeFileSync, mkdtempSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { axe, demoSuite, login, newPage } from './lib.mjs';

const env = demoSuite();
const NOTE = `Nytt klotter på Stortorget ${Date.now()}`;

test('a reporter on a phone reports klotter at Stortorget in a few taps', async () => {
  const phone = await newPage(env.browser, { viewport: { width: 360, height: 740 }, isMobile: true });
  await login(phone, env.demo.url, 'faltassistent@trelleborg.example');
  await phone.goto(`${env.demo.url}/rapportera`);
  await axe(phone, 'report form (phone)');
  const started = Date.now();
  // Three choices and a note: what, where, send. Time defaults to now, sharing to the forum.
  await phone.getByLabel('Klotter', { exact: true }).check();
  await phone.getByLabel('Var?').selectOption({ label: 'Centrum › Stortorget' });
  await phone.getByLabel('Kort beskrivning').fill(NOTE);
  await phone.getByRole('button', { name: 'Skicka rapport' }).click();
  const receipt = phone.getByRole('status').first();
  await receipt.waitFor();
  assert.match(await receipt.innerText(), /Tack! Rapporten är sparad: Klotter vid Stortorget, v\. \d+/);
  console.log(`report flow (automated): ${Date.now() - started} ms, 4 interactions`);
  await axe(phone, 'report receipt (phone)');
});

test('the coordinator sees it in this week’s picture, drills down, exports and prints', async () => {
  const page = await newPage(env.browser, { acceptDownloads: true });
  await login(page, env.demo.url, 'samordnare@trelleborg.example');
  await page.getByRole('link', { name: 'Lägesbild', exact: true }).click();
  await axe(page, 'picture chooser');
  await page.getByRole('link', { name: /EST Trelleborg/ }).first().click();
  await page.getByRole('heading', { level: 1 }).waitFor();
  assert.match(await page.getByRole('heading', { level: 1 }).innerText(), /EST Trelleborg/);
  await axe(page, 'joint picture this week');
  // Last week's flare-up (in the demo data) is flagged in plain Swedish.
  const thisWeek = page.url();
  await page.getByRole('link', { name: /Föregående vecka/ }).click();
  const flags = await page.locator('.flag-list').innerText();
  assert.match(flags, /Klotter vid Stortorget: \d+ rapporter v\. \d+ mot normalt [\d–]+ — ökningen är osannolik som slump/);
  await axe(page, 'joint picture last week');
  await page.goto(thisWeek);

  // Drill down to the reports behind Klotter at Stortorget: the new one is there.
  await page.goto(`${page.url().split('?')[0]}?kategori=graffiti&plats=${await placeId(page, 'Stortorget')}`);
  await page.getByRole('link', { name: /Visa rapporterna|rapporter/ }).first().click();
  await page.getByText(NOTE).waitFor();
  await axe(page, 'drill-down');

  await page.goBack();
  const [download] = await Promise.all([page.waitForEvent('download'), page.getByRole('link', { name: /CSV/ }).first().click()]);
  const csv = readFileSync(await download.path(), 'utf8');
  assert.match(csv, /Klotter/);
  assert.match(csv, /Stortorget/);

  await page.getByRole('link', { name: /Utskrift|rapport för utskrift|Veckorapport/i }).first().click();
  await page.emulateMedia({ media: 'print' });
  assert.equal(await page.locator('header.site').isVisible(), false, 'no navigation on paper');
  await page.emulateMedia({ media: 'screen' });
  await axe(page, 'weekly report');
});

test('an imported police events file appears as context in the picture', async () => {
  const page = await newPage(env.browser);
  await login(page, env.demo.url, 'samordnare@trelleborg.example');
  const now = new Date(Date.now() - 60_000);
  const stamp = now.toISOString().replace('T', ' ').slice(0, 19) + ' +00:00';
  const events = [
    { id: 990001, datetime: stamp, name: 'Skadegörelse, Trelleborg', summary: 'Klotter på en fasad i centrum.', url: '/aktuellt/handelser/1', type: 'Skadegörelse', location: { name: 'Trelleborg', gps: '55.375,13.157' } },
    { id: 990002, datetime: stamp, name: 'Brand, Trelleborg', summary: 'Brand i en container.', url: 'https://polisen.se/aktuellt/handelser/2', type: 'Brand', location: { name: 'Trelleborg', gps: '55.375,13.157' } },
  ];
  const file = join(mkdtempSync(join(tmpdir(), 'brygga-police-')), 'events.json');
  writeFileSync(file, JSON.stringify(events));
  await page.goto(`${env.demo.url}/importera/polisen`);
  await axe(page, 'police events import');
  await page.getByLabel('Fil').setInputFiles(file);
  await page.getByRole('button', { name: 'Läs in händelserna' }).click();
  await page.getByText(/2 nya/).first().waitFor();
  await axe(page, 'police events imported');
  await page.goto(`${env.demo.url}/lagesbild/forum/1`);
  const panel = page.getByRole('region', { name: /Polisens händelser/ });
  assert.match(await panel.innerText(), /Skadegörelse/);
  assert.match(await panel.innerText(), /Brand/);
});

/** The id of a place from the picture's place filter. */
async function placeId(page, name) {
  return page.locator('select[name="plats"] option', { hasText: name }).first().getAttribute('value');
}
