// Issue 16, items 3 and 4 (knowledge): the method library is public — its list and a method
// page with the EMMIE rating and sources open without login — and Trelleborg's plan shows the
// measure "Klottersanering inom 24 timmar kring Stortorget" with its method EST and the
// method's evidence rating, linking to the method page. The idea bank is public too. Every page
// passes axe.
import { test } from 'node:test';
import assert from 'node:assert/strict';
import { axe, demoSuite, login, newPage } from './lib.mjs';

const env = demoSuite();

test('the method library is public and a plan measure shows its method\'s evidence rating', async () => {
  const base = env.demo.url;

  // Without login: the library, one method, the idea bank.
  const anon = await newPage(env.browser);
  await anon.goto(`${base}/metoder`);
  await anon.getByRole('heading', { level: 1, name: 'Metodbiblioteket' }).waitFor();
  await axe(anon, 'metodbiblioteket (utan inloggning)');
  await anon.getByRole('link', { name: /^GVI – / }).click();
  await anon.getByRole('heading', { level: 1, name: /\(GVI\)$/ }).waitFor();
  const gvi = await anon.locator('main').innerText();
  assert.match(gvi, /minskar brottsligheten, evidensstyrka 3 av 5/);
  assert.match(gvi, /Uppföljning av Sluta skjut/);
  assert.match(gvi, /Svensk källa/);
  await axe(anon, 'metod (utan inloggning)');
  await anon.goto(`${base}/idebank`);
  await anon.getByRole('heading', { level: 1, name: 'Idébanken' }).waitFor();
  assert.equal(await anon.getByRole('link', { name: 'Sluta skjut – gruppvåldsintervention i Malmö' }).count(), 1);
  await axe(anon, 'idébanken (utan inloggning)');

  // The municipality's coordinator: the plan's measure shows EST and its rating.
  const page = await newPage(env.browser);
  await login(page, base, 'samordnare@trelleborg.example');
  await page.goto(`${base}/atgardsplaner`);
  await page.getByRole('link', { name: /^Åtgärdsplan mot klotter och skadegörelse/ }).first().click();
  await page.getByRole('heading', { level: 1, name: /Åtgärdsplan mot klotter och skadegörelse/ }).waitFor();
  const measure = page.locator('section, article, li, div').filter({ has: page.getByRole('heading', { name: 'Klottersanering inom 24 timmar kring Stortorget' }) }).last();
  const text = await measure.innerText();
  assert.match(text, /EST – Effektiv samordning för trygghet/);
  assert.match(text, /Effekt: evidensstyrka 1 av 5/);
  assert.match(text, /EMMIE/);
  await axe(page, 'åtgärdsplan med metod');
  await measure.getByRole('link', { name: 'EST – Effektiv samordning för trygghet' }).click();
  await page.getByRole('heading', { level: 1, name: 'Effektiv samordning för trygghet (EST)' }).waitFor();
  assert.match(await page.locator('main').innerText(), /Klottersanering inom 24 timmar kring Stortorget/, 'where the method is in use');
  await axe(page, 'metod (inloggad)');
});
