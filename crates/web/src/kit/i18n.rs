//! Translation. Interface text is written in Swedish in the templates and marked with the
//! `t` filter (`{{ "Logga in"|t }}`); Swedish is the source language, so the Swedish text is
//! the message id. A deployment can load a catalog (TOML: `"Logga in" = "Sign in"`) with
//! `BRYGGA_TRANSLATIONS`; untranslated text stays Swedish.

use std::borrow::Cow;
use std::collections::HashMap;
use std::sync::OnceLock;

static CATALOG: OnceLock<HashMap<String, String>> = OnceLock::new();

/// Loads a catalog once, at start-up.
pub fn load_catalog(toml_text: &str) -> Result<usize, String> {
    let map: HashMap<String, String> = toml::from_str(toml_text).map_err(|e| format!("the translation catalog is not valid TOML: {e}"))?;
    let n = map.len();
    CATALOG.set(map).map_err(|_| "a translation catalog is already loaded".to_owned())?;
    Ok(n)
}

/// `msgid` in the interface language.
pub fn tr(msgid: &str) -> Cow<'_, str> {
    match CATALOG.get().and_then(|c| c.get(msgid)) {
        Some(t) => Cow::Owned(t.clone()),
        None => Cow::Borrowed(msgid),
    }
}

pub mod filters {
    /// `{{ "Svensk text"|t }}`
    pub fn t<T: std::fmt::Display>(s: T, _: &dyn askama::Values) -> askama::Result<String> {
        Ok(super::tr(&s.to_string()).into_owned())
    }

    /// Milliseconds since the epoch as Swedish local time, `2026-11-22 14:05`.
    pub fn local_time(ms: &i64, _: &dyn askama::Values) -> askama::Result<String> {
        Ok(jiff::Timestamp::from_millisecond(*ms).map(brygga_domain::time::format_local).unwrap_or_default())
    }

    /// A share in percent with one decimal, Swedish style: `62,5 %`.
    pub fn percent(v: &f64, _: &dyn askama::Values) -> askama::Result<String> {
        Ok(format!("{} %", brygga_domain::time::format_number(*v, 1)))
    }

    /// A number the Swedish way, whole numbers without decimals: `2,5`, `1`.
    pub fn number(v: &f64, _: &dyn askama::Values) -> askama::Result<String> {
        let s = brygga_domain::time::format_number(*v, if v.fract() == 0.0 { 0 } else { 2 });
        Ok(if s.contains(',') { s.trim_end_matches('0').trim_end_matches(',').to_owned() } else { s })
    }

    /// Same, for optional times: "–" when absent.
    pub fn local_time_opt(ms: &Option<i64>, v: &dyn askama::Values) -> askama::Result<String> {
        match ms {
            Some(ms) => local_time(ms, v),
            None => Ok("–".into()),
        }
    }
}

#[cfg(test)]
mod tests {
    #[test]
    fn untranslated_text_is_swedish() {
        assert_eq!(super::tr("Logga in"), "Logga in");
    }
}
