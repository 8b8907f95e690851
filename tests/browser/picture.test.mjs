// Issue 3, the weekly picture: a coordinator opens this week's joint picture of EST Trelleborg,
// drills down to the reports behind a number, downloads the CSV and opens the printable report;
// every page passes an axe-core scan, and the report prints without navigation.
import { test } from 'node:test';
import assert from 'node:assert/strict';
import { readFileSync } from 'node:fs';
import { axe, demoSuite, login, newPage } from './lib.mjs';

const env = demoSuite();

test('the coordinator reads, drills into, downloads and prints the weekly picture', async () => {
  const page = await newPage(env.browser, { acceptDownloads: true });
  await login(page, env.demo.url, 'samordnare@trelleborg.example');
  await page.goto(`${env.demo.url}/lagesbild`);
  await axe(page, 'picture chooser');

  await page.getByRole('link', { name: 'EST Trelleborg' }).first().click();
  await page.getByRole('heading', { level: 1, name: /EST Trelleborg: lägesbild v\. \d+/ }).waitFor();
  await axe(page, 'joint picture');
  // Says what is in it and who sees it; charts carry a title and a description.
  assert.match(await page.locator('section.sources').innerText(), /Vem ser den:/);
  const charts = page.locator('svg.chart');
  assert.ok(await charts.count() > 0, 'at least one 52-week chart');
  assert.match(await charts.first().locator('title').textContent(), /rapporter per vecka/);
  assert.ok((await charts.first().locator('desc').textContent()).length > 20);

  // Last week, through the week navigation (keyboard reachable links).
  await page.getByRole('link', { name: /Föregående vecka/ }).click();
  await page.getByRole('link', { name: 'Den här veckan' }).waitFor();
  await axe(page, 'joint picture, last week');

  // Drill down to the reports behind the first number that has them.
  const drill = page.locator('table.picture-table a').first();
  assert.ok(await drill.count() > 0, 'a drill-down link in the table');
  await drill.click();
  await page.getByRole('link', { name: /Tillbaka till lägesbilden/ }).waitFor();
  assert.ok(await page.locator('table tbody tr').count() > 0, 'the reports are listed');
  await axe(page, 'drill-down');
  await page.getByRole('link', { name: /Tillbaka till lägesbilden/ }).click();

  // The CSV download, filtered as the page is.
  const [download] = await Promise.all([
    page.waitForEvent('download'),
    page.getByRole('link', { name: 'Ladda ner CSV' }).click(),
  ]);
  assert.match(download.suggestedFilename(), /^lagesbild-forum-\d+-\d{4}-W\d{2}\.csv$/);
  const csv = readFileSync(await download.path(), 'utf8').replace(/^\uFEFF/, '');
  const [header, ...rows] = csv.trim().split(/\r?\n/);
  assert.ok(header.startsWith('vecka;kategori;plats;antal'), header);
  assert.ok(rows.length > 0, 'rows in the CSV');

  // The printable weekly report: one summary page, then the details; no navigation on paper.
  await page.getByRole('link', { name: 'Utskriftsvänlig veckorapport' }).click();
  await page.getByRole('heading', { level: 1, name: /Veckorapport v\. \d+/ }).waitFor();
  await axe(page, 'weekly report');
  await page.emulateMedia({ media: 'print' });
  assert.equal(await page.locator('nav.report-nav').isVisible(), false, 'no navigation when printed');
  assert.equal(await page.locator('.summary-page').evaluate((e) => getComputedStyle(e).breakAfter), 'page');
  const pdf = await page.pdf({ format: 'A4' });
  assert.ok(pdf.length > 1000, 'prints to A4');
  await page.emulateMedia({ media: 'screen' });
});

test('own picture, municipality aggregates and a future week pass axe', async () => {
  const page = await newPage(env.browser);
  await login(page, env.demo.url, 'samordnare@trelleborg.example');
  await page.goto(`${env.demo.url}/lagesbild`);
  await page.getByRole('link', { name: 'Trelleborgs kommun' }).first().click();
  await page.getByRole('heading', { level: 1, name: /Trelleborgs kommun: lägesbild/ }).waitFor();
  await axe(page, 'own picture');
  await page.goto(`${env.demo.url}/lagesbild`);
  await page.getByRole('link', { name: 'Trelleborg', exact: true }).click();
  await page.getByRole('heading', { level: 1, name: /Trelleborg: lägesbild/ }).waitFor();
  assert.equal(await page.locator('table.picture-table a').count(), 0, 'no drill-down from shared aggregates');
  await axe(page, 'municipality aggregates');
  const resp = await page.goto(`${env.demo.url}/lagesbild/kommun/1287?vecka=2099-W01`);
  assert.equal(resp.status(), 422);
  assert.match(await page.getByRole('alert').innerText(), /har inte börjat än/);
  await axe(page, 'future week');
});
