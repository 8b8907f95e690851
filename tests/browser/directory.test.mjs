// Issue 15, "done when" (directory): an anonymous visitor and a signed-in police officer each
// find a free Friday-evening activity for 13–16-year-olds in Hässleholm with the directory's
// filters; the football club's coordinator updates its offer (a bad schedule first, refused at
// the field) and marks it verified. Every page — the public ones included — passes axe.
import { test } from 'node:test';
import assert from 'node:assert/strict';
import { axe, demoSuite, login, newPage } from './lib.mjs';

const env = demoSuite();

/** Fills the directory's filter form: "gratis, fredag 18–22, 14 år, Hässleholm". */
async function signpost(page) {
  await page.getByLabel('Kommun').selectOption({ label: 'Hässleholm' });
  await page.getByLabel('Ålder', { exact: true }).fill('14');
  await page.getByLabel('Veckodag').selectOption({ label: 'fredag' });
  await page.getByLabel('Från klockan').fill('18:00');
  await page.getByLabel('Till klockan').fill('22:00');
  await page.getByLabel('Bara gratis').check();
  await page.getByRole('button', { name: 'Visa erbjudanden' }).click();
  await page.getByRole('heading', { level: 2, name: /1 erbjudande: gratis, fredag 18:00–22:00, 14 år, Hässleholm/ }).waitFor();
  const names = await page.locator('ul.offers h3').allInnerTexts();
  assert.deepEqual(names, ['Fredagsfotboll i Österåshallen'], 'the near misses (paid, 16–20, Saturday) are not listed');
}

test('an anonymous visitor finds a free Friday evening for 13–16 in Hässleholm', async () => {
  const page = await newPage(env.browser);
  const base = env.demo.url;
  await page.goto(`${base}/katalog`);
  await page.getByRole('heading', { level: 1, name: 'Katalogen: föreningar och aktiviteter' }).waitFor();
  assert.equal(await page.getByRole('link', { name: 'Sommarfotbollsskola (planeras)' }).count(), 0, 'unpublished offers are not shown');
  await axe(page, 'katalogen (anonym)');
  await signpost(page);
  await axe(page, 'katalogen, filtrerad');
  await page.locator('ul.offers').getByRole('link', { name: 'Fredagsfotboll i Österåshallen' }).click();
  await page.getByRole('heading', { level: 1, name: 'Fredagsfotboll i Österåshallen' }).waitFor();
  const facts = await page.locator('dl.facts').innerText();
  assert.match(facts, /fredag 19:00–22:00/);
  assert.match(facts, /Gratis/);
  assert.match(facts, /13–16 år/);
  await axe(page, 'erbjudande (anonym)');
  await page.getByRole('link', { name: 'Hässleholms IF Fotboll' }).click();
  await page.getByRole('heading', { level: 1, name: 'Hässleholms IF Fotboll' }).waitFor();
  await axe(page, 'organisation i katalogen (anonym)');
  // A filter that cannot be read is named at its field, in Swedish.
  await page.goto(`${base}/katalog?alder=fjorton`);
  await page.getByText('”fjorton” är ingen ålder').first().waitFor();
  await axe(page, 'katalogen, felaktigt filter');
});

test('a signed-in police officer signposts with the same search', async () => {
  const page = await newPage(env.browser);
  const base = env.demo.url;
  await login(page, base, 'kommunpolis@polisen.example');
  await page.getByRole('navigation', { name: 'Huvudmeny' }).getByRole('link', { name: 'Katalogen', exact: true }).click();
  await page.getByRole('heading', { level: 1, name: 'Katalogen: föreningar och aktiviteter' }).waitFor();
  await signpost(page);
  await axe(page, 'katalogen (polis)');
});

test('the football club updates its offer and marks it verified', async () => {
  const page = await newPage(env.browser);
  const base = env.demo.url;
  await login(page, base, 'ledare@hassleholmsif.example');
  await page.goto(`${base}/katalog?kommun=1293`);
  await page.locator('ul.offers').getByRole('link', { name: 'Fredagsfotboll i Österåshallen' }).click();
  await page.getByRole('link', { name: 'Ändra erbjudandet' }).click();
  await page.getByRole('heading', { level: 1, name: 'Ändra erbjudandet' }).waitFor();
  await axe(page, 'ändra erbjudande');
  const closes = page.locator('[id="f-schedules[0].closes_at"]');
  // A schedule closing before it opens: refused at the field, the rest kept.
  await closes.fill('18:00');
  await page.getByRole('button', { name: 'Spara' }).click();
  await page.getByRole('heading', { name: 'Det finns fel i formuläret' }).waitFor();
  await page.getByText(/stängningstiden 18:00 är inte efter öppningstiden 19:00/).first().waitFor();
  assert.equal(await page.getByLabel('Namn').inputValue(), 'Fredagsfotboll i Österåshallen');
  await axe(page, 'ändra erbjudande (fel)');
  await closes.fill('22:30');
  await page.getByRole('button', { name: 'Spara' }).click();
  await page.getByRole('heading', { level: 1, name: 'Fredagsfotboll i Österåshallen' }).waitFor();
  assert.match(await page.locator('dl.facts').innerText(), /fredag 19:00–22:30/);
  await page.getByRole('button', { name: 'Markera som kontrollerad' }).click();
  await page.getByText('Erbjudandet är markerat som kontrollerat i dag.').waitFor();
  assert.match(await page.locator('dl.facts').innerText(), /av Hanna Ledare/);
  await axe(page, 'erbjudande (föreningen)');
  await page.getByRole('link', { name: 'Hässleholms IF Fotboll' }).click();
  await page.getByRole('link', { name: 'Ändra katalogprofilen' }).click();
  await page.getByRole('heading', { level: 1, name: /Katalogprofil/ }).waitFor();
  await axe(page, 'katalogprofil');
});
