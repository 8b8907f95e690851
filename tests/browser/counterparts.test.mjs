// Issue 15, "done when" (contact persons): the county coordinator sees which municipalities lack
// a contact person for violent extremism; an anonymous visitor reads a municipality's
// counterparts and Trelleborg's "vart vänder jag mig" guide without logging in; Trelleborg's
// coordinator adds a line to the guide. Every page passes axe.
import { test } from 'node:test';
import assert from 'node:assert/strict';
import { axe, demoSuite, login, newPage } from './lib.mjs';

const env = demoSuite();

test('the county coordinator sees where a contact person for violent extremism is missing', async () => {
  const page = await newPage(env.browser);
  const base = env.demo.url;
  await login(page, base, 'lansamordnare@lansstyrelsen.example');
  await page.getByRole('navigation', { name: 'Huvudmeny' }).getByRole('link', { name: 'Motparter', exact: true }).click();
  await page.getByRole('heading', { level: 1, name: 'Motparter' }).waitFor();
  await axe(page, 'motparter (välj län)');
  await page.getByRole('link', { name: 'Skåne län', exact: true }).click();
  await page.getByRole('heading', { level: 1, name: 'Motparter i Skåne län' }).waitFor();
  await axe(page, 'motparter i länet');
  await page.getByRole('link', { name: 'Täckning av kontaktpersoner i länet' }).click();
  await page.getByRole('heading', { level: 1, name: 'Kontaktpersoner i Skåne län' }).waitFor();
  await page.getByLabel('Roll', { exact: true }).selectOption({ label: 'Kontaktperson våldsbejakande extremism' });
  await page.getByRole('button', { name: 'Visa' }).click();
  await page.waitForURL(/roll=vbe/);
  const summary = await page.getByRole('listitem').filter({ hasText: 'Kontaktperson våldsbejakande extremism' }).innerText();
  assert.match(summary, /saknas i 31 av 33 kommuner/, summary);
  assert.match(summary, /Hässleholm/, summary);
  assert.doesNotMatch(summary, /Trelleborg|Ängelholm/, summary);
  const table = page.getByRole('region', { name: 'Kontaktpersoner per kommun och roll' });
  const hassleholm = table.getByRole('row').filter({ has: page.getByRole('rowheader', { name: 'Hässleholm', exact: true }) });
  assert.match(await hassleholm.innerText(), /Saknas/);
  const trelleborg = table.getByRole('row').filter({ has: page.getByRole('rowheader', { name: 'Trelleborg', exact: true }) });
  assert.match(await trelleborg.innerText(), /Tove Lind/);
  await axe(page, 'täckning av kontaktpersoner');
  await page.close();
});

test('an anonymous visitor finds the counterparts and the guide; the coordinator adds a line', async () => {
  const anon = await newPage(env.browser);
  const base = env.demo.url;
  await anon.goto(`${base}/kommuner/1287/motparter`);
  await anon.getByRole('heading', { level: 1, name: 'Motparter i Trelleborg' }).waitFor();
  const facts = await anon.locator('dl.facts').innerText();
  for (const t of ['Skåne län', 'Lokalpolisområde Trelleborg', 'Polisregion Syd', 'Södra sjukvårdsregionen', 'Kriminalvården region Syd']) {
    assert.match(facts, new RegExp(t), t);
  }
  assert.match(await anon.getByRole('region', { name: 'Kontaktpersoner' }).innerText(), /Karim Kommunpolis/);
  await axe(anon, 'motparter i kommunen (utan inloggning)');
  await anon.getByRole('link', { name: 'Vart vänder jag mig?' }).click();
  await anon.getByRole('heading', { level: 1, name: 'Vart vänder jag mig i Trelleborg?' }).waitFor();
  await anon.getByRole('link', { name: 'Oro för ett barn' }).click();
  assert.match(await anon.locator('section', { has: anon.getByRole('heading', { name: 'Oro för ett barn' }) }).innerText(), /orosanmälan/);
  assert.equal(await anon.getByRole('button', { name: 'Spara guiden' }).count(), 0);
  await axe(anon, 'vart vänder jag mig (utan inloggning)');
  await anon.close();

  const page = await newPage(env.browser);
  await login(page, base, 'samordnare@trelleborg.example');
  await page.goto(`${base}/kommuner/1287/vart-vander-jag-mig`);
  await page.getByRole('heading', { name: 'Lägg till en rad' }).waitFor();
  await page.getByLabel(/^Sorts oro/).selectOption('lamna');
  await page.getByLabel(/^Vem vänder man sig till\?/).fill('Avhopparverksamheten');
  await page.getByLabel(/^Hur gör man\?/).fill('Ring kontaktpersonen på 0701234567.');
  await page.getByRole('button', { name: 'Lägg till raden' }).click();
  await page.getByRole('heading', { name: 'Det finns fel i formuläret' }).waitFor();
  assert.equal(await page.getByLabel(/^Vem vänder man sig till\?/).inputValue(), 'Avhopparverksamheten');
  await axe(page, 'vart vänder jag mig (fel i formuläret)');
  await page.getByLabel(/^Hur gör man\?/).fill('Ring och berätta att du vill lämna. Du får en egen kontakt.');
  await page.getByLabel(/^Telefon/).fill('0410-73 30 00');
  await page.getByRole('button', { name: 'Lägg till raden' }).click();
  await page.getByText('Uppgifterna har sparats.').waitFor();
  assert.match(await page.locator('section', { has: page.getByRole('heading', { name: 'Vill lämna kriminalitet' }) }).innerText(), /Avhopparverksamheten/);
  await page.close();
});
