//! Documents people print, file and decide on: the meta block shared by the printable page
//! (`templates/kit/document.html` with `static/document.css`) and the Word file
//! ([`crate::kit::docx::DocxBuilder`]), so both say the same thing in the same order.

use crate::kit::docx::DocxBuilder;

/// What a document says about itself under its title and in its footer.
#[derive(Debug, Clone, Default)]
pub struct DocumentMeta {
    /// "Åtgärdsplan", "Lägesbild", "Problembild", "Uppföljningsrapport".
    pub kind: String,
    pub title: String,
    pub municipality: String,
    /// "2026" or "2026–2027" or "2026 H1".
    pub period: String,
    pub version: Option<i64>,
    /// "Utkast", "Antagen", "Ersatt".
    pub status: String,
    /// The deciding body ("Kommunstyrelsen").
    pub decided_by: Option<String>,
    /// `2026-03-14`.
    pub decided_on: Option<String>,
    /// The reference number in the diarium ("KS 2026/123").
    pub decision_ref: Option<String>,
    /// Where the figures come from: "Källor: Brå (anmälda brott), Brygga (rapporter), hämtade 2026-12-06."
    pub source_note: String,
    /// The date of printing or export, `2026-12-06`.
    pub printed_on: String,
}

impl DocumentMeta {
    /// A document printed today (Swedish time).
    pub fn new(kind: impl Into<String>, title: impl Into<String>) -> Self {
        Self { kind: kind.into(), title: title.into(), printed_on: brygga_domain::time::today().to_string(), ..Self::default() }
    }

    /// The labelled lines of the meta block, empty ones left out.
    pub fn lines(&self) -> Vec<(&'static str, String)> {
        let mut out = Vec::new();
        let mut push = |label: &'static str, value: Option<String>| {
            if let Some(v) = value.filter(|v| !v.trim().is_empty()) {
                out.push((label, v));
            }
        };
        push("Kommun", Some(self.municipality.clone()));
        push("Period", Some(self.period.clone()));
        push("Version", self.version.map(|v| v.to_string()));
        push("Status", Some(self.status.clone()));
        push("Beslutad av", self.decided_by.clone());
        push("Beslutsdatum", self.decided_on.clone());
        push("Diarienummer", self.decision_ref.clone());
        out
    }

    /// A Word document that starts with this title and meta block.
    pub fn docx(&self) -> DocxBuilder {
        let subject = [self.kind.as_str(), self.municipality.as_str(), self.period.as_str()]
            .into_iter()
            .filter(|s| !s.is_empty())
            .collect::<Vec<_>>()
            .join(", ");
        let mut b = DocxBuilder::new(&self.title).subject(&subject);
        for (label, value) in self.lines() {
            b = b.meta(label, &value);
        }
        b
    }

    /// The footer of a Word document: the source note and the date of export.
    pub fn docx_footer(&self, b: DocxBuilder) -> DocxBuilder {
        let b = if self.source_note.is_empty() { b } else { b.caption(&self.source_note) };
        b.caption(&format!("Utskriven {} ur Brygga.", self.printed_on))
    }
}

#[cfg(test)]
mod tests {
    use askama::Template;

    use super::*;
    use crate::kit::i18n::filters;
    use crate::kit::page::Chrome;

    #[derive(Template)]
    #[template(
        source = r#"{% extends "kit/document.html" %}{% block document_actions %}<a href="plan.docx">Ladda ner som Word</a>{% endblock %}{% block document %}<h2>Mål</h2><table><thead><tr><th>Mål</th></tr></thead><tbody><tr><td>Minska klotter</td></tr></tbody></table>{% endblock %}"#,
        ext = "html"
    )]
    struct Sample {
        chrome: Chrome,
        doc: DocumentMeta,
    }

    fn meta() -> DocumentMeta {
        DocumentMeta {
            municipality: "Trelleborgs kommun".into(),
            period: "2026–2027".into(),
            version: Some(2),
            status: "Antagen".into(),
            decided_by: Some("Kommunstyrelsen".into()),
            decided_on: Some("2026-03-14".into()),
            decision_ref: Some("KS 2026/123".into()),
            source_note: "Källor: Brå, hämtade 2026-12-06.".into(),
            printed_on: "2026-12-06".into(),
            ..DocumentMeta::new("Åtgärdsplan", "Åtgärdsplan 2026–2027 <Trelleborg>")
        }
    }

    #[test]
    fn the_printable_page_has_title_meta_content_and_footer() {
        let html = Sample { chrome: Chrome::anonymous("Åtgärdsplan"), doc: meta() }.render().expect("renders");
        assert!(html.contains(r#"<link rel="stylesheet" href="/static/document.css?v="#), "{html}");
        assert!(html.contains(r#"<article class="document""#));
        assert!(
            html.contains("Åtgärdsplan 2026–2027 &#60;Trelleborg&#62;") || html.contains("Åtgärdsplan 2026–2027 &lt;Trelleborg&gt;"),
            "escaped: {html}"
        );
        for s in ["<dt>Kommun</dt><dd>Trelleborgs kommun</dd>", "<dt>Version</dt><dd>2</dd>", "<dt>Diarienummer</dt><dd>KS 2026/123</dd>"] {
            assert!(html.contains(s), "{s} in {html}");
        }
        assert!(html.contains("<h2>Mål</h2>") && html.contains("Ladda ner som Word"));
        assert!(html.contains("Utskriven 2026-12-06 ur Brygga.") && html.contains("Källor: Brå, hämtade 2026-12-06."));
    }

    #[test]
    fn the_print_stylesheet_is_served_and_prints_a4() {
        let rt = tokio::runtime::Builder::new_current_thread().build().expect("runtime");
        let resp = rt.block_on(crate::kit::assets::serve(axum::extract::Path("document.css".to_owned())));
        assert_eq!(resp.status(), axum::http::StatusCode::OK);
        assert_eq!(resp.headers()["content-type"], "text/css; charset=utf-8");
        let css =
            String::from_utf8(rt.block_on(axum::body::to_bytes(resp.into_body(), usize::MAX)).expect("body").to_vec()).expect("utf-8");
        assert!(css.contains("size: A4;") && css.contains("margin: 20mm 18mm;"), "{css}");
        assert!(css.contains("@media print") && css.contains("a[href]::after { content: none !important; }"));
    }

    #[test]
    fn empty_lines_are_left_out() {
        let m = DocumentMeta {
            municipality: "Trelleborgs kommun".into(),
            status: "Utkast".into(),
            ..DocumentMeta::new("Lägesbild", "Lägesbild 2026")
        };
        let labels: Vec<&str> = m.lines().into_iter().map(|(l, _)| l).collect();
        assert_eq!(labels, ["Kommun", "Status"]);
        assert_eq!(m.printed_on, brygga_domain::time::today().to_string());
    }

    #[test]
    fn the_word_file_carries_the_meta_block() {
        let bytes = meta().docx_footer(meta().docx().heading(1, "Mål")).build().expect("builds");
        let mut zip = zip::ZipArchive::new(std::io::Cursor::new(bytes)).expect("zip");
        let mut doc = String::new();
        std::io::Read::read_to_string(&mut zip.by_name("word/document.xml").expect("document"), &mut doc).expect("utf-8");
        assert!(doc.contains("Beslutad av: ") && doc.contains("Kommunstyrelsen") && doc.contains("KS 2026/123"), "{doc}");
        assert!(doc.contains("Utskriven 2026-12-06 ur Brygga."));
    }
}
