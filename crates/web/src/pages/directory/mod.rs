//! The directory (katalogen): public pages without login — the directory with its filters and
//! map, an organisation's page, an offer's page, the exports — and the organisation's own forms
//! for its profile and offers (`edit`).
//!
//! Paths: `/katalog` (`?kommun=1293&alder=14&tema=idrott&dag=fredag&fran=18:00&till=22:00&gratis=1`),
//! `/katalog/organisationer/{id}`, `/katalog/erbjudanden/{id}`, `/katalog/katalog.{csv|geojson}`,
//! `/katalog/hsds.json`; signed in: `/katalog/organisationer/{id}/profil`,
//! `/katalog/organisationer/{id}/erbjudanden/nytt`, `/katalog/erbjudanden/{id}/andra`,
//! `/katalog/erbjudanden/{id}/kontrollerad`, `/katalog/organisationer/{id}/hsds`.

pub mod edit;
pub mod public;
