// Places (platser): the demo coordinator finds Trelleborg's places, draws an area on the
// server-drawn map, types a point without JavaScript on a phone, imports a GeoJSON file with
// a mistake and then without it; every page passes axe, the map page also at 360 px.
import { test } from 'node:test';
import assert from 'node:assert/strict';
import { axe, demoSuite, login, newPage } from './lib.mjs';

const env = demoSuite();

const COORDINATOR = 'samordnare@trelleborg.example';

test('the coordinator draws an area on the map and sees it listed', async () => {
  const page = await newPage(env.browser);
  await login(page, env.demo.url, COORDINATOR);
  await page.goto(`${env.demo.url}/platser`);
  await axe(page, 'places: choose municipality');
  await page.getByRole('link', { name: 'Trelleborg', exact: true }).click();
  await page.getByRole('heading', { level: 1, name: 'Platser i Trelleborg' }).waitFor();
  await axe(page, 'places: Trelleborg');

  await page.getByRole('link', { name: 'Ny plats' }).click();
  await axe(page, 'places: new place (map page)');
  // Drawing: choose the tool, click three corners, the GeoJSON field fills in SWEREF 99 TM.
  await page.getByRole('button', { name: 'Rita ett område' }).click();
  const map = page.locator('svg.map[data-draw]');
  const box = await map.boundingBox();
  for (const [fx, fy] of [[0.45, 0.45], [0.55, 0.45], [0.55, 0.55], [0.45, 0.55]]) {
    await map.click({ position: { x: box.width * fx, y: box.height * fy } });
  }
  assert.match(await page.getByRole('status').last().innerText(), /4 hörn satta/);
  const drawn = JSON.parse(await page.getByLabel('GeoJSON-geometri').inputValue());
  assert.equal(drawn.type, 'Polygon');
  assert.equal(drawn.coordinates[0].length, 5);
  assert.ok(drawn.coordinates[0][0][1] > 6_000_000, 'SWEREF 99 TM northing');
  assert.equal(await page.getByLabel('Koordinatsystem').inputValue(), 'sweref99tm');
  await axe(page, 'places: new place while drawing');

  // Forgetting the name: the summary says so, the drawing is kept.
  await page.getByRole('button', { name: 'Spara platsen' }).click();
  const summary = page.getByRole('alert');
  await summary.waitFor();
  assert.match(await summary.innerText(), /Namnet/);
  await axe(page, 'places: new place with errors');
  await page.getByLabel('Namn', { exact: false }).first().fill('Webbläsartorget');
  await page.getByLabel('Typ av plats').selectOption('square');
  await page.getByRole('button', { name: 'Spara platsen' }).click();
  await page.getByRole('heading', { level: 1, name: 'Webbläsartorget' }).waitFor();
  assert.match(await page.getByRole('status').innerText(), /Uppgifterna har sparats/);
  await axe(page, 'places: one place');

  await page.getByRole('link', { name: /Redigera/ }).click();
  await axe(page, 'places: edit place');
  await page.goBack();
  await page.getByRole('link', { name: /Ta bort/ }).click();
  await axe(page, 'places: delete confirmation');

  await page.goto(`${env.demo.url}/platser/1287`);
  const link = page.locator('svg.map a[aria-label="Webbläsartorget"]');
  assert.equal(await link.count(), 1, 'the place is a named link on the map');
  await page.getByRole('cell', { name: 'Webbläsartorget' }).or(page.getByRole('rowheader', { name: 'Webbläsartorget' })).first().waitFor();
});

test('an import with a mistake names the feature; fixed, it imports', async () => {
  const page = await newPage(env.browser);
  await login(page, env.demo.url, COORDINATOR);
  await page.goto(`${env.demo.url}/platser/1287/importera`);
  await axe(page, 'places: import');
  const doc = {
    type: 'FeatureCollection',
    features: [
      { type: 'Feature', properties: { name: 'Importparken', kind: 'park' }, geometry: { type: 'Polygon', coordinates: [[[13.160, 55.372], [13.163, 55.372], [13.163, 55.374], [13.160, 55.374], [13.160, 55.372]]] } },
      { type: 'Feature', properties: { name: 'Bytt ordning' }, geometry: { type: 'Point', coordinates: [55.3751, 13.1566] } },
    ],
  };
  await page.getByLabel('Eller klistra in GeoJSON').fill(JSON.stringify(doc));
  await page.getByRole('button', { name: 'Förhandsgranska' }).click();
  const summary = page.getByRole('alert');
  await summary.waitFor();
  assert.match(await summary.innerText(), /Objekt 2 \(”Bytt ordning”\): Latitud och longitud står i omvänd ordning/);
  await axe(page, 'places: import preview with errors');

  doc.features[1].geometry.coordinates = [13.1566, 55.3751];
  await page.getByLabel('Eller klistra in GeoJSON').fill(JSON.stringify(doc));
  await page.getByRole('button', { name: 'Förhandsgranska' }).click();
  await page.getByRole('button', { name: 'Importera 2 platser' }).waitFor();
  await axe(page, 'places: import preview');
  await page.getByRole('button', { name: 'Importera 2 platser' }).click();
  await page.getByRole('heading', { level: 1, name: 'Platser i Trelleborg' }).waitFor();
  assert.match(await page.getByRole('status').innerText(), /Filen är importerad/);
  await page.getByRole('link', { name: 'Bytt ordning' }).first().waitFor();
});

test('on a 360 px phone: the map page fits and a point is typed without JavaScript', async () => {
  const phone = await newPage(env.browser, { viewport: { width: 360, height: 740 }, isMobile: true });
  await login(phone, env.demo.url, COORDINATOR);
  for (const path of ['/platser', '/platser/1287', '/platser/1287/ny', '/platser/1287/importera']) {
    await phone.goto(`${env.demo.url}${path}`);
    const overflow = await phone.evaluate(() => document.documentElement.scrollWidth - window.innerWidth);
    assert.ok(overflow <= 0, `${path} scrolls sideways by ${overflow}px on a phone`);
    await axe(phone, `${path} (phone)`);
  }

  const nojs = await newPage(env.browser, { viewport: { width: 360, height: 740 }, javaScriptEnabled: false, isMobile: true });
  await login(nojs, env.demo.url, COORDINATOR);
  await nojs.goto(`${env.demo.url}/platser/1287/ny`);
  assert.equal(await nojs.getByRole('button', { name: 'Rita ett område' }).count(), 0, 'no drawing tools without JavaScript');
  await nojs.getByLabel('Namn', { exact: false }).first().fill('Telefonplatsen');
  await nojs.getByRole('textbox', { name: 'Latitud' }).fill('55,3760');
  await nojs.getByRole('textbox', { name: 'Longitud' }).fill('13,1590');
  await nojs.getByRole('button', { name: 'Spara platsen' }).click();
  await nojs.getByRole('heading', { level: 1, name: 'Telefonplatsen' }).waitFor();
});
