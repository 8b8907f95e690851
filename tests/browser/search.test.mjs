// Issue 15, item 6 (Swedish full-text search): a coordinator searches from the header's box,
// narrows the hits with a facet and opens one; the result page works without JavaScript; an
// anonymous visitor finds nothing that is not public; a bad query is answered on the form. Every
// page passes axe.
import { test } from 'node:test';
import assert from 'node:assert/strict';
import { axe, demoSuite, login, newPage } from './lib.mjs';

const env = demoSuite();

test('a coordinator searches from the header, narrows by a facet and opens a hit', async () => {
  const page = await newPage(env.browser);
  const base = env.demo.url;
  await login(page, base, 'samordnare@trelleborg.example');
  const box = page.getByRole('search', { name: 'Sök i Brygga' }).getByRole('searchbox');
  await box.fill('klottret');
  await box.press('Enter');
  await page.getByRole('heading', { level: 1, name: 'Sök' }).waitFor();
  const count = await page.locator('#hits-title').innerText();
  assert.match(count, /\d+ träffar?/, count);
  // The inflected form found "klotter", marked in the hits.
  assert.ok((await page.locator('ol.hits mark').count()) > 0, 'marked words');
  await axe(page, 'sök (träffar)');
  // A facet narrows to one kind; all hits are of it.
  const facets = page.getByRole('navigation', { name: 'Avgränsa sökningen' });
  const first = facets.getByRole('link').first();
  const label = (await first.innerText()).replace(/\s*\(\d+\)$/, '');
  await first.click();
  await page.getByRole('link', { name: 'Alla typer' }).waitFor();
  const kinds = await page.locator('ol.hits p.hint').allInnerTexts();
  assert.ok(kinds.length > 0 && kinds.every((k) => k === label), `${label}: ${kinds}`);
  await axe(page, 'sök (avgränsad)');
  await page.locator('ol.hits h3 a').first().click();
  await page.getByRole('heading', { level: 1 }).waitFor();
  assert.doesNotMatch(page.url(), /\/sok/);
});

test('the result page works without JavaScript and anonymous visitors see only public records', async () => {
  const page = await newPage(env.browser, { javaScriptEnabled: false });
  const base = env.demo.url;
  await page.goto(`${base}/sok?q=klotter`);
  await page.getByRole('heading', { level: 1, name: 'Sök' }).waitFor();
  const text = await page.locator('main').innerText();
  // The demo's actions are forum records and its places are for signed-in users: never here.
  assert.equal(await page.locator('ol.hits a[href^="/atgarder/"], ol.hits a[href^="/platser/"]').count(), 0, text);
  // A bad query: the message at the field, the form kept.
  await page.goto(`${base}/sok?q=${encodeURIComponent('!!! ...')}`);
  await page.getByText('Skriv minst ett ord att söka på.').first().waitFor();
  assert.equal(await page.getByLabel('Sökord').inputValue(), '!!! ...');
  const js = await newPage(env.browser);
  await js.goto(`${base}/sok?q=${encodeURIComponent('!!! ...')}`);
  await axe(js, 'sök (fel i sökfrågan)');
  await js.goto(`${base}/sok?q=klotter`);
  await axe(js, 'sök (anonym)');
});
