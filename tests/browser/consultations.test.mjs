// Issue 16, "done when" (consultations): an association user (Hässleholms IF Fotboll) enters
// input to the police's consultation with civil society, anonymously and as material for the
// lägesbild, and sees it on "Mina medskick" with "Inget besked än"; the police organiser sees
// the item as "Anonym deltagare", and Trelleborg's lägesbild lists it under "Civilsamhällets
// bild" (item 2). Every page passes axe.
import { test } from 'node:test';
import assert from 'node:assert/strict';
import { axe, demoSuite, login, newPage } from './lib.mjs';

const env = demoSuite();

test('an association gives input to the police consultation and sees it on Mina medskick', async () => {
  const base = env.demo.url;
  const page = await newPage(env.browser);
  await login(page, base, 'ledare@hassleholmsif.example');
  await page.getByRole('navigation', { name: 'Huvudmeny' }).getByRole('link', { name: 'Samråd', exact: true }).click();
  await page.getByRole('heading', { level: 1, name: 'Samråd' }).waitFor();
  await axe(page, 'samråd (lista)');
  await page.getByRole('link', { name: /rekrytering av barn och unga/ }).click();
  await page.getByRole('heading', { level: 1, name: /rekrytering av barn och unga/ }).waitFor();
  assert.match(await page.locator('main').innerText(), /utanför kontorstid/);
  await axe(page, 'samråd');

  await page.getByRole('link', { name: 'Lämna och läs medskick' }).click();
  await page.getByRole('heading', { level: 1, name: 'Medskick' }).waitFor();
  await axe(page, 'medskick');
  // Personal data: refused at the field, with the offer to remove it.
  await page.getByLabel(/^Medskick/).fill('Ring Anna Svensson på 070-123 45 67 om tränarna.');
  await page.getByRole('button', { name: 'Lämna medskicket' }).click();
  await page.getByRole('heading', { name: 'Det finns fel i formuläret' }).waitFor();
  assert.match(await page.locator('.error-summary').innerText(), /ta bort dem/);
  await axe(page, 'medskick (fel)');
  const text = 'Tränarna behöver stöd i att känna igen när unga i laget blir kontaktade av äldre.';
  await page.getByLabel(/^Medskick/).fill(text);
  await page.getByLabel('Anonymt').check();
  await page.getByLabel('Material till kommunens lägesbild').check();
  await page.getByRole('button', { name: 'Lämna medskicket' }).click();
  await page.getByText(text).first().waitFor();

  await page.goto(`${base}/mina-medskick`);
  await page.getByRole('heading', { level: 1, name: 'Mina medskick' }).waitFor();
  const mine = await page.locator('main').innerText();
  assert.match(mine, /Tränarna behöver stöd/);
  assert.match(mine, /Inget besked än/);
  await axe(page, 'mina medskick');

  // The organiser sees the item, not who gave it.
  const police = await newPage(env.browser);
  await login(police, base, 'kommunpolis@polisen.example');
  await police.goto(`${base}/samrad`);
  await police.getByRole('link', { name: /rekrytering av barn och unga/ }).click();
  await police.getByRole('link', { name: 'Lämna och läs medskick' }).click();
  await police.getByRole('heading', { level: 1, name: 'Medskick' }).waitFor();
  const item = police.locator('li', { hasText: 'Tränarna behöver stöd' });
  assert.match(await item.innerText(), /Anonym deltagare/);
  assert.doesNotMatch(await item.innerText(), /Hässleholms IF/);
  await axe(police, 'medskick (arrangören)');

  // Item 2: Trelleborg's lägesbild shows civil society's picture, attribution applied.
  await police.goto(`${base}/lagesbilder`);
  await police.getByRole('link', { name: /^Lägesbild \d{4} Trelleborg/ }).first().click();
  const civil = police.locator('section', { has: police.getByRole('heading', { name: 'Civilsamhällets bild' }) });
  await civil.waitFor();
  const picture = await civil.innerText();
  assert.match(picture, /Tränarna behöver stöd/);
  assert.match(picture, /Anonym deltagare/);
  assert.match(picture, /Nattvandrarna i Trelleborg/, 'a named item names its organisation');
  assert.doesNotMatch(picture, /Hässleholms IF/);
  await axe(police, 'lägesbild med civilsamhällets bild');
});

// Issue 16, "done when" (concluding): the police organiser themes the input by Brygga's
// suggestion, gives the association's item a disposition linked to a measure in Trelleborg's
// plan and publishes the documentation; the association sees on "Mina medskick" what became of
// its input. Every page passes axe.
test('the organiser themes, disposes and publishes; the association sees the outcome', async () => {
  const base = env.demo.url;
  const police = await newPage(env.browser);
  await login(police, base, 'kommunpolis@polisen.example');
  await police.goto(`${base}/samrad`);
  await police.getByRole('link', { name: /rekrytering av barn och unga/ }).click();
  await police.getByRole('link', { name: 'Teman och besked' }).click();
  await police.getByRole('heading', { level: 1, name: 'Teman och besked' }).waitFor();
  await axe(police, 'teman och besked');
  await police.getByRole('button', { name: 'Använd förslaget' }).click();
  await police.getByRole('heading', { level: 1, name: 'Teman och besked' }).waitFor();

  const item = police.locator('li[id^="medskick-"]', { hasText: 'Tränarna behöver stöd' });
  await item.getByRole('link', { name: /Ge besked/ }).click();
  await police.getByRole('heading', { level: 1, name: 'Besked om medskick' }).waitFor();
  await axe(police, 'besked');
  // Without a reason: refused at the field, nothing lost.
  await police.getByLabel('Omhändertaget', { exact: true }).check();
  await police.getByRole('button', { name: 'Spara beskedet' }).click();
  await police.getByRole('heading', { name: 'Det finns fel i formuläret' }).waitFor();
  assert.match(await police.locator('.error-summary').innerText(), /Motiveringen saknas/);
  await axe(police, 'besked (fel)');
  assert.ok(await police.getByLabel('Omhändertaget', { exact: true }).isChecked(), 'the chosen outcome is kept');
  const reason = 'Tas in i utbildningen av föreningsledare i Trelleborgs åtgärdsplan.';
  await police.getByLabel(/^Motivering/).fill(reason);
  const measure = police.getByRole('checkbox', { name: /^Insats:/ }).first();
  const measureName = (await measure.locator('xpath=..').innerText()).replace(/^\s*Insats:\s*/, '').replace(/\s*\(.*$/s, '').trim();
  await measure.check();
  await police.getByRole('button', { name: 'Spara beskedet' }).click();
  await police.getByRole('heading', { level: 1, name: 'Teman och besked' }).waitFor();
  assert.match(await police.locator('li[id^="medskick-"]', { hasText: 'Tränarna behöver stöd' }).innerText(), /Besked: Omhändertaget/);

  await police.getByRole('link', { name: 'Till dokumentationen och publiceringen' }).click();
  await police.getByRole('heading', { level: 1, name: 'Dokumentation' }).waitFor();
  await axe(police, 'dokumentation (förhandsgranskning)');
  await police.getByRole('button', { name: 'Publicera och skicka' }).click();
  await police.getByRole('heading', { level: 1, name: /^Dokumentation:/ }).waitFor();
  const doc = await police.locator('main').innerText();
  assert.match(doc, /Version 1/);
  assert.match(doc, new RegExp(reason));
  await axe(police, 'dokumentation (version 1)');

  const page = await newPage(env.browser);
  await login(page, base, 'ledare@hassleholmsif.example');
  await page.goto(`${base}/mina-medskick`);
  const text = await page.locator('li', { hasText: 'Tränarna behöver stöd' }).last().innerText();
  assert.match(text, /Omhändertaget/);
  assert.match(text, new RegExp(reason));
  assert.ok(text.includes(measureName), `the measure it changed is named: ${measureName} in ${text}`);
  await axe(page, 'mina medskick (med besked)');
});
