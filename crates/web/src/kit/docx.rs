//! Word documents people file and decide on (DOCX), over the maintained crate `docx-rs`.
//!
//! A4 with the print stylesheet's margins, Word's built-in heading styles (so the navigation pane
//! and a table of contents find them), bullets, bordered tables with a header row, source captions,
//! page breaks, and the document properties title, creator "Brygga" and language sv-SE. Numbers and
//! dates are formatted by the caller, the Swedish way ([`crate::kit::i18n`]); the builder writes
//! text.
//!
//! ```ignore
//! let bytes = DocxBuilder::new("Åtgärdsplan 2026–2027")
//!     .heading(1, "Mål")
//!     .table(&["Mål", "Utgångsvärde"], &[vec!["Minska klotter".into(), "1 234,5".into()]])
//!     .caption("Källa: Brygga, hämtad 2026-12-06")
//!     .build()?;
//! ```

use std::io::Cursor;

use docx_rs::{
    AbstractNumbering, AlignmentType, BreakType, Docx, Footer, Header, IndentLevel, Level, LevelJc, LevelText, NumberFormat, Numbering,
    NumberingId, PageMargin, PageNum, Paragraph, Run, RunFonts, Shading, SpecialIndentType, Start, Style, StyleType, Table, TableCell,
    TableRow, WidthType,
};

use crate::kit::error::AppError;
use crate::kit::export::Cell;

/// A4 in twentieths of a point (twips).
const A4_WIDTH: u32 = 11_906;
const A4_HEIGHT: u32 = 16_838;
/// 1 mm in twips.
const MM: i32 = 57;
/// The printable width between 18 mm margins.
const TEXT_WIDTH: usize = (A4_WIDTH as i32 - 2 * 18 * MM) as usize;
const BULLETS: usize = 1;
const FONT: &str = "Calibri";

/// The document's properties as Word and the diarium see them.
pub const CREATOR: &str = "Brygga";
pub const LANGUAGE: &str = "sv-SE";

/// A document under construction. Every method consumes and returns the builder.
pub struct DocxBuilder {
    docx: Docx,
    title: String,
    subject: Option<String>,
}

fn text_run(text: &str) -> Run {
    Run::new().add_text(text)
}

/// Word's built-in heading styles: id `HeadingN`, name `heading N` (Word shows "Rubrik N" in a
/// Swedish Word), outline level N-1 so the navigation pane lists them.
fn heading_style(level: usize) -> Style {
    let size = match level {
        1 => 32,
        2 => 26,
        _ => 24,
    };
    Style::new(format!("Heading{level}"), StyleType::Paragraph)
        .name(format!("heading {level}"))
        .based_on("Normal")
        .next("Normal")
        .q_format(true)
        .ui_priority(9)
        .outline_lvl(level - 1)
        .size(size)
        .bold()
        .color("1F3864")
}

fn styles(docx: Docx) -> Docx {
    docx.add_style(Style::new("Normal", StyleType::Paragraph).name("Normal").q_format(true))
        .add_style(Style::new("Title", StyleType::Paragraph).name("Title").based_on("Normal").next("Normal").q_format(true).size(44).bold())
        .add_style(heading_style(1))
        .add_style(heading_style(2))
        .add_style(heading_style(3))
        .add_style(
            Style::new("Caption", StyleType::Paragraph).name("caption").based_on("Normal").next("Normal").q_format(true).size(18).italic(),
        )
        .add_style(Style::new("ListBullet", StyleType::Paragraph).name("List Bullet").based_on("Normal"))
        .add_style(Style::new("Subtitle", StyleType::Paragraph).name("Subtitle").based_on("Normal").size(20).color("404040"))
}

fn bullet_numbering(docx: Docx) -> Docx {
    let level = Level::new(0, Start::new(1), NumberFormat::new("bullet"), LevelText::new("•"), LevelJc::new("left")).indent(
        Some(720),
        Some(SpecialIndentType::Hanging(360)),
        None,
        None,
    );
    docx.add_abstract_numbering(AbstractNumbering::new(BULLETS).add_level(level)).add_numbering(Numbering::new(BULLETS, BULLETS))
}

/// Escapes text for the XML of the core properties.
fn xml_text(s: &str) -> String {
    s.chars()
        .filter(|c| !c.is_control() || *c == '\t' || *c == '\n')
        .map(|c| match c {
            '&' => "&amp;".to_owned(),
            '<' => "&lt;".to_owned(),
            '>' => "&gt;".to_owned(),
            '"' => "&quot;".to_owned(),
            c => c.to_string(),
        })
        .collect()
}

/// `docProps/core.xml` with title, creator and language (docx-rs writes "unknown" and no title).
fn core_properties(title: &str, subject: Option<&str>, now: &str) -> Vec<u8> {
    let subject = subject.map(|s| format!("<dc:subject>{}</dc:subject>", xml_text(s))).unwrap_or_default();
    format!(
        concat!(
            r#"<?xml version="1.0" encoding="UTF-8" standalone="yes"?>"#,
            r#"<cp:coreProperties xmlns:cp="http://schemas.openxmlformats.org/package/2006/metadata/core-properties" "#,
            r#"xmlns:dc="http://purl.org/dc/elements/1.1/" xmlns:dcterms="http://purl.org/dc/terms/" "#,
            r#"xmlns:dcmitype="http://purl.org/dc/dcmitype/" xmlns:xsi="http://www.w3.org/2001/XMLSchema-instance">"#,
            "<dc:title>{title}</dc:title>{subject}<dc:creator>{creator}</dc:creator><cp:lastModifiedBy>{creator}</cp:lastModifiedBy>",
            "<dc:language>{lang}</dc:language><cp:revision>1</cp:revision>",
            r#"<dcterms:created xsi:type="dcterms:W3CDTF">{now}</dcterms:created>"#,
            r#"<dcterms:modified xsi:type="dcterms:W3CDTF">{now}</dcterms:modified>"#,
            "</cp:coreProperties>"
        ),
        title = xml_text(title),
        subject = subject,
        creator = CREATOR,
        lang = LANGUAGE,
        now = now,
    )
    .into_bytes()
}

/// The language of the text (spell-checking in Word) in the document defaults of `styles.xml`.
fn with_language(styles: Vec<u8>) -> Vec<u8> {
    let xml = String::from_utf8_lossy(&styles).into_owned();
    let lang = format!(r#"<w:lang w:val="{LANGUAGE}" w:eastAsia="{LANGUAGE}" w:bidi="ar-SA" />"#);
    match xml.find("</w:rPr></w:rPrDefault>") {
        Some(at) => format!("{}{lang}{}", &xml[..at], &xml[at..]).into_bytes(),
        None => xml.into_bytes(),
    }
}

/// A row of the table repeats at the top of every page it runs over: the first one.
fn with_repeated_header_rows(document: Vec<u8>) -> Vec<u8> {
    let xml = String::from_utf8_lossy(&document).into_owned();
    // docx-rs writes each row as `<w:tr><w:trPr />` or `<w:tr><w:trPr>…`; the header row is the
    // one right after a table's grid.
    xml.replace("</w:tblGrid><w:tr><w:trPr />", "</w:tblGrid><w:tr><w:trPr><w:tblHeader /></w:trPr>")
        .replace("</w:tblGrid><w:tr><w:trPr>", "</w:tblGrid><w:tr><w:trPr><w:tblHeader />")
        .into_bytes()
}

/// A cell's text looks like a number formatted by the caller ("1 234,5", "−12 %", "<3"): it is
/// right-aligned so columns of figures line up.
fn numeric(text: &str) -> bool {
    let t = text.trim();
    !t.is_empty()
        && t.chars().any(|c| c.is_ascii_digit())
        && t.chars().all(|c| c.is_ascii_digit() || matches!(c, ' ' | '\u{a0}' | '\u{202f}' | ',' | '-' | '−' | '+' | '%' | '<' | '>'))
}

fn cell(text: &str, header: bool) -> TableCell {
    let mut p = Paragraph::new();
    for (i, line) in text.lines().enumerate() {
        let run = if i > 0 { Run::new().add_break(BreakType::TextWrapping).add_text(line) } else { text_run(line) };
        p = p.add_run(if header { run.bold() } else { run });
    }
    if !header && numeric(text) {
        p = p.align(AlignmentType::Right);
    }
    let c = TableCell::new().add_paragraph(p);
    if header { c.shading(Shading::new().fill("D9E2F3")) } else { c }
}

impl DocxBuilder {
    /// A new A4 document whose first paragraph is `title` in the Title style.
    pub fn new(title: &str) -> Self {
        let margin =
            PageMargin { top: 20 * MM, bottom: 20 * MM, left: 18 * MM, right: 18 * MM, header: 10 * MM, footer: 10 * MM, gutter: 0 };
        let footer = Footer::new()
            .add_paragraph(Paragraph::new().align(AlignmentType::Right).add_run(text_run("Sida ")).add_page_num(PageNum::new()));
        let header =
            Header::new().add_paragraph(Paragraph::new().align(AlignmentType::Right).add_run(text_run(title).size(16).color("595959")));
        let docx = Docx::new()
            .page_size(A4_WIDTH, A4_HEIGHT)
            .page_margin(margin)
            .default_fonts(RunFonts::new().ascii(FONT).hi_ansi(FONT).cs(FONT))
            .default_size(22)
            .header(header)
            .footer(footer);
        let docx = bullet_numbering(styles(docx)).add_paragraph(Paragraph::new().style("Title").add_run(text_run(title)));
        Self { docx, title: title.to_owned(), subject: None }
    }

    /// The document property "subject" (for example the municipality and period).
    pub fn subject(mut self, subject: &str) -> Self {
        self.subject = Some(subject.to_owned());
        self
    }

    /// A heading of level 1–3 (deeper levels are written as level 3).
    pub fn heading(mut self, level: usize, text: &str) -> Self {
        let level = level.clamp(1, 3);
        self.docx = self.docx.add_paragraph(Paragraph::new().style(&format!("Heading{level}")).keep_next(true).add_run(text_run(text)));
        self
    }

    /// Text; each non-empty line becomes its own paragraph.
    pub fn paragraph(mut self, text: &str) -> Self {
        for line in text.lines().map(str::trim_end).filter(|l| !l.trim().is_empty()) {
            self.docx = self.docx.add_paragraph(Paragraph::new().style("Normal").add_run(text_run(line)));
        }
        self
    }

    /// A line in the meta block under the title ("Beslutad av: …").
    pub fn meta(mut self, label: &str, value: &str) -> Self {
        self.docx = self
            .docx
            .add_paragraph(Paragraph::new().style("Subtitle").add_run(text_run(&format!("{label}: ")).bold()).add_run(text_run(value)));
        self
    }

    /// One bullet point.
    pub fn bullet(mut self, text: &str) -> Self {
        self.docx = self.docx.add_paragraph(
            Paragraph::new().style("ListBullet").numbering(NumberingId::new(BULLETS), IndentLevel::new(0)).add_run(text_run(text)),
        );
        self
    }

    /// A bordered table over the full text width with a bold header row that repeats on every
    /// page. Cells are text, already formatted the Swedish way; figures are right-aligned.
    pub fn table<R: AsRef<[String]>>(mut self, headers: &[&str], rows: &[R]) -> Self {
        let columns = headers.len().max(1);
        let width = TEXT_WIDTH / columns;
        let mut table_rows = vec![TableRow::new(headers.iter().map(|h| cell(h, true)).collect()).cant_split()];
        for row in rows {
            let row = row.as_ref();
            let mut cells: Vec<TableCell> = row.iter().take(columns).map(|c| cell(c, false)).collect();
            while cells.len() < columns {
                cells.push(cell("", false));
            }
            table_rows.push(TableRow::new(cells).cant_split());
        }
        let table = Table::new(table_rows).set_grid(vec![width; columns]).width(TEXT_WIDTH, WidthType::Dxa);
        self.docx = self.docx.add_table(table);
        self
    }

    /// The same rows a CSV/XLSX export gets ([`Cell`]), shown the Swedish way.
    pub fn table_cells(self, headers: &[&str], rows: &[Vec<Cell>]) -> Self {
        let rows: Vec<Vec<String>> = rows.iter().map(|r| r.iter().map(Cell::display).collect()).collect();
        self.table(headers, &rows)
    }

    /// The source under a table or figure: "Källa: …, hämtad 2026-12-06".
    pub fn caption(mut self, text: &str) -> Self {
        self.docx = self.docx.add_paragraph(Paragraph::new().style("Caption").add_run(text_run(text)));
        self
    }

    /// What follows starts on a new page.
    pub fn page_break(mut self) -> Self {
        self.docx = self.docx.add_paragraph(Paragraph::new().add_run(Run::new().add_break(BreakType::Page)));
        self
    }

    /// The finished document as the bytes of a `.docx` file.
    pub fn build(self) -> Result<Vec<u8>, AppError> {
        let now = jiff::Timestamp::now().strftime("%Y-%m-%dT%H:%M:%SZ").to_string();
        let mut xml = self.docx.build();
        xml.doc_props.core = core_properties(&self.title, self.subject.as_deref(), &now);
        xml.styles = with_language(xml.styles);
        xml.document = with_repeated_header_rows(xml.document);
        let mut out = Cursor::new(Vec::new());
        xml.pack(&mut out).map_err(|e| AppError::Internal(format!("docx: {e}")))?;
        Ok(out.into_inner())
    }
}

#[cfg(test)]
mod tests {
    use std::io::Read;

    use super::*;

    fn part(bytes: &[u8], name: &str) -> String {
        let mut zip = zip::ZipArchive::new(Cursor::new(bytes)).expect("a docx is a zip");
        let mut s = String::new();
        zip.by_name(name).unwrap_or_else(|_| panic!("{name} in the package")).read_to_string(&mut s).expect("utf-8");
        s
    }

    fn sample() -> Vec<u8> {
        DocxBuilder::new("Åtgärdsplan 2026–2027 <Trelleborg>")
            .subject("Trelleborgs kommun, 2026–2027")
            .meta("Beslutad av", "Kommunstyrelsen")
            .heading(1, "Mål & indikatorer")
            .paragraph("Första stycket.\n\nAndra stycket.")
            .bullet("Klotter i centrum")
            .table(&["Indikator", "Utgångsvärde"], &[vec!["Anmälda skadegörelsebrott".to_owned(), "1 234,5".to_owned()]])
            .caption("Källa: Brå, hämtad 2026-12-06")
            .page_break()
            .heading(2, "Uppföljning")
            .build()
            .expect("builds")
    }

    #[test]
    fn document_holds_headings_paragraphs_and_table_cells() {
        let doc = part(&sample(), "word/document.xml");
        assert!(doc.contains(r#"<w:pStyle w:val="Heading1" />"#), "{doc}");
        assert!(doc.contains("Mål &amp; indikatorer"));
        assert!(doc.contains(r#"<w:pStyle w:val="Heading2" />"#));
        assert!(doc.contains("Första stycket.") && doc.contains("Andra stycket."));
        assert_eq!(doc.matches("Andra stycket.").count(), 1);
        assert!(doc.contains("Anmälda skadegörelsebrott") && doc.contains("1 234,5"));
        assert!(doc.contains("<w:tblHeader />"), "the header row repeats on every page");
        assert!(doc.contains(r#"<w:br w:type="page" />"#));
        assert!(doc.contains(r#"<w:jc w:val="right" />"#), "figures are right-aligned");
        assert!(doc.contains(r#"<w:pgSz w:w="11906" w:h="16838""#), "A4: {doc}");
        assert!(doc.contains("Källa: Brå, hämtad 2026-12-06"));
    }

    #[test]
    fn properties_say_title_creator_and_swedish() {
        let bytes = sample();
        let core = part(&bytes, "docProps/core.xml");
        assert!(core.contains("<dc:title>Åtgärdsplan 2026–2027 &lt;Trelleborg&gt;</dc:title>"), "{core}");
        assert!(core.contains("<dc:creator>Brygga</dc:creator>"));
        assert!(core.contains("<dc:language>sv-SE</dc:language>"));
        let styles = part(&bytes, "word/styles.xml");
        assert!(styles.contains(r#"<w:lang w:val="sv-SE""#), "{styles}");
        assert!(styles.contains(r#"<w:name w:val="heading 1" />"#));
        let numbering = part(&bytes, "word/numbering.xml");
        assert!(numbering.contains(r#"<w:numFmt w:val="bullet" />"#), "{numbering}");
    }

    #[test]
    fn export_rows_become_a_table() {
        let rows =
            vec![vec![Cell::text("Klotter"), Cell::Integer(1234), Cell::Decimal(-0.5, 1), Cell::Date(jiff::civil::date(2027, 12, 31))]];
        let bytes = DocxBuilder::new("T").table_cells(&["Indikator", "Antal", "Förändring", "Måldatum"], &rows).build().expect("builds");
        let doc = part(&bytes, "word/document.xml");
        for s in ["Klotter", "1\u{a0}234", "−0,5", "2027-12-31", "Måldatum"] {
            assert!(doc.contains(s), "{s} in {doc}");
        }
    }

    #[test]
    fn figures_are_recognised() {
        assert!(numeric("1 234,5"));
        assert!(numeric("−12 %"));
        assert!(numeric("<3"));
        assert!(!numeric("Trelleborg 2026"));
        assert!(!numeric(""));
    }
}
