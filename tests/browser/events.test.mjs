// Issue 16, "done when" (training and events): a county coordinator sees which municipalities
// never attended a training this year; a participant registers for an event. In the demo,
// Länsstyrelsen Skåne's basic training this year was attended from Trelleborg and Hässleholm
// but not from Ängelholm, and its digital seminar has free seats. Also the catalogue, one's own
// registrations and the full network meeting's waiting list. Every page passes axe.
import { test } from 'node:test';
import assert from 'node:assert/strict';
import { axe, demoSuite, login, newPage } from './lib.mjs';

const env = demoSuite();

test('a county coordinator sees who never attended a training; a participant registers', async () => {
  const base = env.demo.url;

  const page = await newPage(env.browser);
  await login(page, base, 'lansamordnare@lansstyrelsen.example');
  await page.getByRole('navigation', { name: 'Huvudmeny' }).getByRole('link', { name: 'Evenemang', exact: true }).click();
  await page.getByRole('heading', { level: 1, name: 'Evenemang' }).waitFor();
  await axe(page, 'evenemang');
  await page.getByRole('link', { name: /Utbildningstäckning: Skåne/ }).click();
  await page.getByRole('heading', { level: 1, name: /Utbildningstäckning i Skåne/ }).waitFor();
  const summary = await page.locator('#sammanfattning').innerText();
  assert.match(summary, /2 av 33 kommuner deltog/);
  const never = await page.locator('#aldrig-lista').innerText();
  assert.match(never, /Ängelholm/, 'Ängelholm did not attend');
  assert.doesNotMatch(never, /Trelleborg|Hässleholm/);
  await axe(page, 'utbildningstäckning');

  await page.goto(`${base}/utbildning`);
  await page.getByRole('heading', { level: 1, name: 'Utbildningar' }).waitFor();
  await axe(page, 'utbildningskatalog');

  // The participant: the seminar, registered through the form.
  const club = await newPage(env.browser);
  await login(club, base, 'ungdom@iksoderslatt.example');
  await club.goto(`${base}/evenemang`);
  await club.getByRole('link', { name: 'Seminarium: trygga idrottsmiljöer för unga' }).click();
  await club.getByRole('heading', { level: 1, name: 'Seminarium: trygga idrottsmiljöer för unga' }).waitFor();
  await axe(club, 'evenemang (ett)');
  await club.getByLabel(/^Din roll/).selectOption('youth_leader');
  await club.getByRole('button', { name: 'Anmäl mig' }).click();
  await club.getByText('Du är anmäld och har en plats.').first().waitFor();
  await axe(club, 'evenemang (anmäld)');
  await club.goto(`${base}/mina-evenemang`);
  await club.getByRole('heading', { level: 1, name: 'Mina evenemang' }).waitFor();
  assert.match(await club.locator('main').innerText(), /Seminarium: trygga idrottsmiljöer för unga/);
  await axe(club, 'mina evenemang');

  // The full network meeting: on the waiting list, with the place.
  await club.goto(`${base}/evenemang`);
  await club.getByRole('link', { name: 'Nätverksträff för EST-samordnare i Skåne' }).click();
  await club.getByLabel(/^Din roll/).selectOption('other');
  await club.getByRole('button', { name: 'Anmäl mig' }).click();
  await club.getByText(/du står som nr 3 på väntelistan/).first().waitFor();
  await axe(club, 'evenemang (väntelista)');
});
