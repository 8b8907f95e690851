// Issue 14, "done when" (agreements): the county coordinator at Länsstyrelsen Skåne opens the
// agreements, reads the county table, scores Hässleholm's samverkansöverenskommelse with a
// comment, takes a follow-up snapshot, compares it with the baseline and sees the change in the
// county table. Also the checklists, the new-agreement form and the import page. Every page
// passes axe.
import { test } from 'node:test';
import assert from 'node:assert/strict';
import { axe, demoSuite, login, newPage } from './lib.mjs';

const env = demoSuite();

/** The county table's row for a municipality, as text. */
async function row(page, municipality) {
  return page.locator('table.county-table tbody tr').filter({ has: page.getByRole('rowheader', { name: municipality, exact: true }) }).innerText();
}

test('the county coordinator scores Hässleholm and sees the change in the county table', async () => {
  const page = await newPage(env.browser, { acceptDownloads: true });
  const base = env.demo.url;
  await login(page, base, 'lansamordnare@lansstyrelsen.example');

  await page.getByRole('navigation', { name: 'Huvudmeny' }).getByRole('link', { name: 'Överenskommelser', exact: true }).click();
  await page.getByRole('heading', { level: 1, name: 'Överenskommelser' }).waitFor();
  for (const t of ['Samverkansöverenskommelse Trelleborg', 'Samverkansöverenskommelse Hässleholm', 'Samverkansöverenskommelse Ängelholm']) {
    assert.equal(await page.getByRole('link', { name: t }).count(), 1, t);
  }
  await axe(page, 'överenskommelser (list)');

  // The county table before: Hässleholm has a baseline and no change yet.
  await page.getByRole('link', { name: 'Länstabell' }).click();
  await page.getByRole('heading', { level: 1, name: /Länstabell: Skåne/ }).waitFor();
  await axe(page, 'länstabell');
  const before = await row(page, 'Hässleholm');
  assert.doesNotMatch(before, /\+/, before);
  assert.match(await row(page, 'Trelleborg'), /\+/);
  assert.match(await page.locator('table.county-table tfoot').innerText(), /2 av 33/);

  // Hässleholm's agreement and its assessment.
  await page.getByRole('navigation', { name: 'Huvudmeny' }).getByRole('link', { name: 'Överenskommelser', exact: true }).click();
  await page.getByRole('link', { name: 'Samverkansöverenskommelse Hässleholm' }).click();
  await page.getByRole('heading', { level: 1, name: 'Samverkansöverenskommelse Hässleholm' }).waitFor();
  await axe(page, 'överenskommelse');
  await page.getByRole('link', { name: /Bryggas checklista för överenskommelser, version 1/ }).click();
  await page.getByRole('heading', { level: 1, name: 'Kvalitetsbedömning' }).waitFor();
  await axe(page, 'kvalitetsbedömning');
  const revision = page.getByRole('group', { name: /En revidering är planerad/ });
  await revision.getByLabel('Uppfyllt', { exact: true }).check();
  await revision.getByLabel('Kommentar').fill('Revidering beslutad varje höst.');
  await page.getByRole('button', { name: 'Spara bedömningen' }).click();
  await page.getByText('Bedömningen är sparad.').waitFor();
  assert.equal(await page.getByRole('group', { name: /En revidering är planerad/ }).getByLabel('Kommentar').inputValue(), 'Revidering beslutad varje höst.');
  await axe(page, 'kvalitetsbedömning (sparad)');

  // The follow-up snapshot, then the comparison with the baseline.
  await page.getByLabel(/^Typ av mätning/).selectOption('follow_up');
  await page.getByLabel(/^Namn/).fill('Uppföljning');
  await page.getByRole('button', { name: 'Ta mätningen' }).click();
  await page.getByRole('heading', { level: 1, name: 'Uppföljning' }).waitFor();
  assert.match(await page.locator('table').innerText(), /Revidering beslutad varje höst\./);
  await axe(page, 'mätning');
  const baseline = await page.getByLabel('Jämför med').locator('option', { hasText: 'Nulägesmätning' }).getAttribute('value');
  await page.getByLabel('Jämför med').selectOption(baseline);
  await page.getByRole('button', { name: 'Jämför' }).click();
  await page.getByRole('heading', { level: 1, name: 'Jämför mätningar' }).waitFor();
  assert.match(await page.getByRole('row', { name: /En revidering är planerad/ }).innerText(), /Bättre/);
  await axe(page, 'jämför mätningar');

  // The county table now shows Hässleholm's change against its baseline.
  await page.goto(`${base}/overenskommelser/lan/12`);
  const after = await row(page, 'Hässleholm');
  assert.match(after, /\+\d/, after);
  assert.notEqual(after, before);
  // With a comparison date.
  await page.getByLabel('Jämför med datum').fill('2020-01-01');
  await page.getByRole('button', { name: 'Visa' }).click();
  await page.getByRole('table').waitFor();
  await axe(page, 'länstabell (jämförelse)');
  const download = page.waitForEvent('download');
  await page.getByRole('link', { name: 'Ladda ner (Excel)' }).click();
  assert.match((await download).suggestedFilename(), /Länstabell Skåne län .*\.xlsx/);

  // The checklists: Brygga's own, labelled as not the county's 17-point list.
  await page.goto(`${base}/overenskommelser/checklistor`);
  await axe(page, 'checklistor');
  await page.getByRole('link', { name: 'Bryggas checklista för överenskommelser' }).click();
  assert.match(await page.locator('main').innerText(), /inte länets 17-punktslista/);
  await axe(page, 'checklista');
  await page.goto(`${base}/overenskommelser/checklistor/ny`);
  await axe(page, 'ny checklista');
  await page.goto(`${base}/overenskommelser/importera`);
  await axe(page, 'importera överenskommelse');
});

test('a municipality coordinator writes an agreement; bad input is named at the field', async () => {
  const page = await newPage(env.browser);
  const base = env.demo.url;
  await login(page, base, 'samordnare@hassleholm.example');
  await page.goto(`${base}/overenskommelser/ny`);
  await axe(page, 'ny överenskommelse');
  await page.getByLabel(/^Typ av överenskommelse/).selectOption('citizen_promise');
  await page.getByLabel(/^Titel/).fill('Medborgarlöfte Hässleholm');
  await page.getByLabel(/^Kommun/).selectOption({ label: 'Hässleholm' });
  await page.getByLabel(/Polisen, lokalpolisområde Hässleholm/).check();
  await page.getByLabel(/^Gäller från/).fill('2026-06-01');
  await page.getByLabel(/^Gäller till och med/).fill('2026-01-01');
  await page.getByRole('button', { name: 'Spara' }).click();
  await page.getByText('Det finns fel i formuläret').waitFor();
  assert.match(await page.locator('.error-summary').innerText(), /Perioden slutar \(2026-01-01\) före den börjar/);
  assert.equal(await page.getByLabel(/^Titel/).inputValue(), 'Medborgarlöfte Hässleholm');
  await axe(page, 'ny överenskommelse (fel)');
  await page.getByLabel(/^Gäller till och med/).fill('2026-12-31');
  await page.getByRole('button', { name: 'Spara' }).click();
  await page.getByRole('heading', { level: 1, name: 'Medborgarlöfte Hässleholm' }).waitFor();
  await axe(page, 'överenskommelse (utkast)');
});
