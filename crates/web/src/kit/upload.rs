//! Receiving an uploaded file, for the pages and the API alike: the body limit of the upload
//! routes, the refusal of a file over [`MAX_UPLOAD_BYTES`] in Swedish (before it is parsed or
//! buffered), and [`SignedUpload`], the form-with-a-file extractor.
//!
//! A body declared larger than the limit is read and thrown away rather than cut off, so the
//! browser or client gets the answer that explains the limit instead of a reset connection.

use std::pin::Pin;

use axum::body::{Body, Bytes, HttpBody};
use axum::extract::{FromRequest, Multipart, Request};
use axum::http::{StatusCode, header};
use axum::response::{IntoResponse, Response};
use brygga_domain::FieldError;
use brygga_store::picture::imports::MAX_UPLOAD_BYTES;

use crate::AppState;
use crate::kit::auth::{FormData, Session};
use crate::kit::error::{AppError, PageError};
use crate::kit::page::FormView;

/// The upload routes' body limit: the file limit plus room for the form's other fields.
pub const UPLOAD_BODY_LIMIT: usize = MAX_UPLOAD_BYTES + 1024 * 1024;

/// A body declared larger than the limit is read and thrown away up to this much (browsers
/// show a reset connection instead of our page when the server stops reading early).
const DRAIN_MAX_BYTES: u64 = 1024 * 1024 * 1024;

/// Room for a form's fields besides the file, in a body declared larger than the file limit.
const FORM_OVERHEAD_BYTES: usize = 16 * 1024;

/// A file sent with a form.
#[derive(Debug, Clone)]
pub struct UploadedFile {
    pub name: String,
    pub bytes: Vec<u8>,
}

/// Why the file of a form could not be received.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum UploadProblem {
    /// Over [`MAX_UPLOAD_BYTES`]; the declared size when known.
    TooLarge { size: Option<u64> },
}

impl UploadProblem {
    pub fn message(self) -> String {
        let size = match self {
            UploadProblem::TooLarge { size: Some(s) } => format!("Filen är {} MB", megabytes(s)),
            UploadProblem::TooLarge { size: None } => "Filen är större än 20 MB".to_owned(),
        };
        format!(
            "{size}, men högst 20 MB kan läsas in här. Dela upp filen, till exempel ett år eller ett område per fil, och läs in delarna \
             var för sig. Större filer kan den som driftar Brygga läsa in från kommandoraden."
        )
    }
}

/// "20,3" or "100": megabytes as Swedes write them, one decimal below 100.
pub fn megabytes(bytes: u64) -> String {
    let mb = bytes as f64 / 1_000_000.0;
    if mb >= 100.0 { format!("{mb:.0}") } else { format!("{mb:.1}").trim_end_matches(".0").replace('.', ",") }
}

/// A form with a file, posted by a signed-in user: session, `Origin` and CSRF token checked.
/// The fields and the file, or why the file was not received (then nothing was read).
pub struct SignedUpload(pub Session, pub Result<(FormData, Option<UploadedFile>), UploadProblem>);

/// Reads and discards a body, up to [`DRAIN_MAX_BYTES`] and the request timeout.
pub async fn drain(mut body: Body) {
    let mut seen: u64 = 0;
    while let Some(Ok(frame)) = std::future::poll_fn(|cx| Pin::new(&mut body).poll_frame(cx)).await {
        seen += frame.data_ref().map_or(0, |d| d.len() as u64);
        if seen > DRAIN_MAX_BYTES {
            break;
        }
    }
}

fn bad_form() -> Response {
    PageError(AppError::BadRequest("Formuläret med filen kunde inte läsas. Ladda om sidan, välj filen igen och skicka på nytt.".into()))
        .into_response()
}

impl FromRequest<AppState> for SignedUpload {
    type Rejection = Response;

    async fn from_request(req: Request, state: &AppState) -> Result<Self, Self::Rejection> {
        let (mut parts, body) = req.into_parts();
        let session = crate::kit::auth::posting_session(&mut parts, state).await?;
        let declared = parts.headers.get(header::CONTENT_LENGTH).and_then(|v| v.to_str().ok()).and_then(|v| v.parse::<u64>().ok());
        // A form's other fields take a few hundred bytes: a body declared this much larger than
        // the file limit holds a file over it. Refuse it now, reading and discarding the body.
        if let Some(size) = declared.filter(|s| *s > (MAX_UPLOAD_BYTES + FORM_OVERHEAD_BYTES) as u64) {
            drain(body).await;
            return Ok(SignedUpload(session, Err(UploadProblem::TooLarge { size: Some(size) })));
        }
        let mut multipart = Multipart::from_request(Request::from_parts(parts, body), state).await.map_err(|_| bad_form())?;
        let mut fields = Vec::new();
        let mut file = None;
        loop {
            let mut field = match multipart.next_field().await {
                Ok(Some(f)) => f,
                Ok(None) => break,
                Err(e) if e.status() == StatusCode::PAYLOAD_TOO_LARGE => {
                    return Ok(SignedUpload(session, Err(UploadProblem::TooLarge { size: declared })));
                }
                Err(_) => return Err(bad_form()),
            };
            let name = field.name().unwrap_or_default().to_owned();
            if let Some(file_name) = field.file_name().map(str::to_owned) {
                let mut bytes = Vec::new();
                loop {
                    match field.chunk().await {
                        Ok(Some(chunk)) => {
                            if bytes.len() + chunk.len() > MAX_UPLOAD_BYTES {
                                return Ok(SignedUpload(session, Err(UploadProblem::TooLarge { size: declared })));
                            }
                            bytes.extend_from_slice(&chunk);
                        }
                        Ok(None) => break,
                        Err(e) if e.status() == StatusCode::PAYLOAD_TOO_LARGE => {
                            return Ok(SignedUpload(session, Err(UploadProblem::TooLarge { size: declared })));
                        }
                        Err(_) => return Err(bad_form()),
                    }
                }
                // A file input left empty still sends a part, with no name and no bytes.
                if !(file_name.is_empty() && bytes.is_empty()) && name == "file" {
                    file = Some(UploadedFile { name: file_name, bytes });
                }
            } else {
                let text = field.text().await.map_err(|_| bad_form())?;
                if text.len() > 64 * 1024 {
                    return Err(bad_form());
                }
                fields.push((name, text));
            }
        }
        let form = FormData(fields);
        if !crate::kit::auth::same_secret(form.get("csrf"), &session.csrf) {
            return Err(PageError(AppError::Csrf).into_response());
        }
        Ok(SignedUpload(session, Ok((form, file))))
    }
}

impl UploadProblem {
    /// The upload form again, empty, with the refusal at the file field.
    pub fn form(self) -> FormView {
        FormView { values: vec![], errors: FieldError::new("file", "file.too_large", self.message()).into() }
    }

    /// The refusal of a request body over the limit, in the API's words.
    pub fn body_message(self) -> String {
        let what = match self {
            UploadProblem::TooLarge { size: Some(s) } => format!("Kroppen är {} MB", megabytes(s)),
            UploadProblem::TooLarge { size: None } => "Kroppen är större än 20 MB".to_owned(),
        };
        format!("{what}, men högst 20 MB kan läsas in per anrop. Dela upp filen, till exempel ett år per anrop.")
    }
}

/// Reads a whole request body (an API import), refusing one over [`MAX_UPLOAD_BYTES`]: a body
/// declared larger is drained unread.
pub async fn read_body(state: &AppState, req: Request) -> Result<Bytes, UploadProblem> {
    let declared = req.headers().get(header::CONTENT_LENGTH).and_then(|v| v.to_str().ok()).and_then(|v| v.parse::<u64>().ok());
    if let Some(size) = declared.filter(|s| *s > MAX_UPLOAD_BYTES as u64) {
        drain(req.into_body()).await;
        return Err(UploadProblem::TooLarge { size: Some(size) });
    }
    let bytes = Bytes::from_request(req, state).await.map_err(|_| UploadProblem::TooLarge { size: None })?;
    if bytes.len() > MAX_UPLOAD_BYTES {
        return Err(UploadProblem::TooLarge { size: Some(bytes.len() as u64) });
    }
    Ok(bytes)
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn too_large_says_the_limit() {
        let m = UploadProblem::TooLarge { size: Some(104_857_600) }.message();
        assert!(m.contains("105 MB") && m.contains("högst 20 MB"), "{m}");
        assert_eq!(megabytes(21_000_300), "21");
        assert_eq!(megabytes(20_300_000), "20,3");
    }
}
