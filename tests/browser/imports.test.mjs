// Issue 3 (imports): the demo coordinator imports a small spreadsheet through the wizard —
// file, columns, preview, import — and a file with a wrong row is stopped at the preview with
// the row and column named. Every step and every import page passes an axe-core scan.
import { test } from 'node:test';
import assert from 'node:assert/strict';
import { readFileSync } from 'node:fs';
import { join, dirname } from 'node:path';
import { axe, demoSuite, login, newPage } from './lib.mjs';

const fixtures = join(dirname(new URL(import.meta.url).pathname), '..', '..', 'crates', 'import', 'tests', 'fixtures');

const env = demoSuite();

const csv = (rows) => Buffer.from(['Datum;Tid;Kategori;Plats;Antal;Kommentar', ...rows].join('\n') + '\n', 'utf8');

async function uploadObservations(page, name, buffer) {
  await page.goto(`${env.demo.url}/importera/observationer`);
  await page.getByLabel('Forum', { exact: false }).first().selectOption({ label: 'EST Trelleborg' });
  await page.getByLabel('Fil (obligatoriskt)').setInputFiles({ name, mimeType: 'text/csv', buffer });
  await page.getByRole('button', { name: 'Ladda upp och välj kolumner' }).click();
  await page.getByRole('heading', { level: 1, name: 'Välj kolumner' }).waitFor();
}

test('coordinator imports a spreadsheet through the wizard', async () => {
  const page = await newPage(env.browser);
  await login(page, env.demo.url, 'samordnare@trelleborg.example');
  await page.goto(`${env.demo.url}/importera`);
  await axe(page, 'import hub');
  await page.getByRole('link', { name: 'Observationer från fil' }).click();
  await page.getByRole('heading', { level: 1, name: 'Importera observationer' }).waitFor();
  await axe(page, 'wizard step 1: file and forum');

  // Step 1 with a mistake: no file chosen.
  await page.getByLabel('Forum', { exact: false }).first().selectOption({ label: 'EST Trelleborg' });
  await page.getByRole('button', { name: 'Ladda upp och välj kolumner' }).click();
  await page.getByRole('alert').waitFor();
  assert.match(await page.getByRole('alert').innerText(), /Välj en fil att läsa in/);
  await axe(page, 'wizard step 1 with an error');

  await uploadObservations(page, 'vecka47.csv', csv([
    '2024-11-18;21:30;Klotter;;2;Tags på cykelgaraget',
    '2024-11-19;08:00;Trasig belysning;;1;',
  ]));
  // The columns were guessed from the headers.
  assert.equal(await page.getByLabel('Kategori', { exact: true }).inputValue(), '2');
  assert.equal(await page.getByLabel('Klockslag (om det står i en egen kolumn)').inputValue(), '1');
  await axe(page, 'wizard step 2: columns');

  await page.getByRole('button', { name: 'Granska raderna' }).click();
  await page.getByRole('heading', { level: 1, name: 'Granska importen' }).waitFor();
  assert.equal((await page.getByRole('status').innerText()).trim(), 'Alla 2 rader kan importeras.');
  await axe(page, 'wizard step 3: preview');

  await page.getByRole('button', { name: 'Importera 2 rader' }).click();
  await page.waitForURL((u) => u.pathname === '/importera');
  assert.match(await page.getByRole('status').innerText(), /Filen är importerad/);
  assert.ok(await page.getByRole('rowheader', { name: 'vecka47.csv' }).isVisible());
  await axe(page, 'wizard step 4: imported');

  // A file with an unknown category is stopped at the preview, naming row and column.
  await uploadObservations(page, 'fel.csv', csv([
    '2024-11-18;21:30;Klotter;;1;',
    '2024-11-18;22:00;Rymdskepp;;1;',
  ]));
  await page.getByRole('button', { name: 'Granska raderna' }).click();
  await page.getByRole('heading', { level: 1, name: 'Granska importen' }).waitFor();
  assert.match(await page.getByRole('alert').innerText(), /1 av 2 rader har fel/);
  const row = page.getByRole('row', { name: /Rymdskepp/ }).last();
  assert.match(await row.innerText(), /^3\s+Kategori\s+Kategorin ”Rymdskepp” finns inte/);
  assert.equal(await page.getByRole('button', { name: /^Importera/ }).count(), 0, 'no import while a row is wrong');
  await axe(page, 'wizard preview with row errors');
  await page.getByRole('button', { name: 'Avbryt importen' }).first().click();
  await page.waitForURL((u) => u.pathname === '/importera');
});

test('the other import pages pass axe, before and after an upload', async () => {
  const page = await newPage(env.browser);
  await login(page, env.demo.url, 'samordnare@trelleborg.example');

  await page.goto(`${env.demo.url}/importera/polisen`);
  await axe(page, 'police events');
  await page.getByLabel('Fil (obligatoriskt)').setInputFiles(join(fixtures, 'police_events.json'));
  await page.getByRole('button', { name: 'Läs in händelserna' }).click();
  await page.getByRole('heading', { name: 'Filen är inläst' }).waitFor();
  assert.match(await page.getByRole('status').innerText(), /21 händelser i filen: 16 nya, 0 fanns redan, 5 kunde inte läsas/);
  await axe(page, 'police events, imported');

  await page.getByRole('link', { name: 'EST Trelleborg' }).click();
  await page.getByRole('heading', { level: 1, name: 'Händelsetyper och kategorier' }).waitFor();
  await axe(page, 'police event type mapping');
  await page.getByLabel('Kategori för Bråk').selectOption({ label: 'Hot/våld' });
  await page.getByRole('button', { name: 'Spara kopplingen' }).click();
  await page.getByRole('status').waitFor();
  assert.equal(await page.getByLabel('Kategori för Bråk').inputValue() !== '', true);
  await axe(page, 'police event type mapping, saved');

  await page.goto(`${env.demo.url}/importera/brottsstatistik`);
  await axe(page, 'crime statistics');
  await page.getByLabel('Fil (obligatoriskt)').setInputFiles(join(fixtures, 'crime_stats_long_cp1252.csv'));
  await page.getByRole('button', { name: 'Läs in statistiken' }).click();
  await page.getByRole('heading', { name: 'Statistiken är inläst' }).waitFor();
  await axe(page, 'crime statistics, imported');

  await page.goto(`${env.demo.url}/importera/trygghetsmatning`);
  await axe(page, 'safety survey');
  await page.getByLabel('Fil (obligatoriskt)').setInputFiles({ name: 'trygghet.csv', mimeType: 'text/csv', buffer: readFileSync(join(fixtures, 'safety_survey_cp1252.csv')) });
  await page.getByLabel('Kommun', { exact: false }).fill('Trelleborg');
  await page.getByRole('button', { name: 'Läs in mätningen' }).click();
  await page.getByRole('heading', { name: 'Mätningen är inläst' }).waitFor();
  await axe(page, 'safety survey, imported');

  // The same survey file again: refused, the message linked to the file field.
  await page.getByLabel('Fil (obligatoriskt)').setInputFiles({ name: 'trygghet.csv', mimeType: 'text/csv', buffer: readFileSync(join(fixtures, 'safety_survey_cp1252.csv')) });
  await page.getByRole('button', { name: 'Läs in mätningen' }).click();
  await page.getByRole('alert').waitFor();
  assert.match(await page.getByRole('alert').innerText(), /importerades redan/);
  await axe(page, 'safety survey, same file refused');
});
