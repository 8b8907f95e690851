//! The observation import's write: all rows or none — the batch row (refusing a file imported
//! before), the observations and their audit entries, in the caller's transaction.

use super::*;

/// What a committed observation import wrote.
#[derive(Debug, Clone, PartialEq, Serialize)]
pub struct ObservationImport {
    pub batch_id: i64,
    pub rows: u64,
}

/// Imports every row of the viewer's upload as observations, or none: reads the file again and
/// hands it to [`import_observation_table`], then drops the upload.
pub fn commit_observations(
    db: &mut dyn Conn,
    v: &Viewer,
    upload_id: i64,
    settings: &ObservationSettings,
    mapping: &ColumnMapping,
    now: Timestamp,
) -> StoreResult<Result<ObservationImport, Refusal>> {
    let upload = get_upload(db, v, upload_id)?;
    let table = match read_upload(&upload) {
        Ok(t) => t,
        Err(r) => return Ok(Err(r)),
    };
    let file = ObservationFile { name: Some(&upload.meta.file_name), sha256: &upload.meta.sha256, uploaded_for: Some(upload.meta.org_id) };
    let done = import_observation_table(db, v, settings, &table, mapping, &file, now)?;
    if done.is_ok() {
        db.execute("DELETE FROM import_uploads WHERE id = $1", args![upload_id])?;
    }
    Ok(done)
}

/// The file an observation table came from.
#[derive(Debug, Clone, Copy)]
pub struct ObservationFile<'a> {
    pub name: Option<&'a str>,
    pub sha256: &'a str,
    /// The organisation the file was uploaded for (the wizard): the import must be for it.
    pub uploaded_for: Option<i64>,
}

/// Imports every row of `table` as observations, or none (the wizard's commit and `brygga
/// import observations`): checks the mapping and every row in memory, refuses a file imported
/// before, then writes the batch, the observations (`observations::create_many`: COPY on
/// PostgreSQL, one prepared statement on SQLite) and the audit entries in the caller's
/// transaction.
pub fn import_observation_table(
    db: &mut dyn Conn,
    v: &Viewer,
    settings: &ObservationSettings,
    table: &Table,
    mapping: &ColumnMapping,
    file: &ObservationFile<'_>,
    now: Timestamp,
) -> StoreResult<Result<ObservationImport, Refusal>> {
    let ctx = match observation_context(db, v, settings)? {
        Ok(c) => c,
        Err(r) => return Ok(Err(r)),
    };
    if file.uploaded_for.is_some_and(|org| org != ctx.org_id) {
        return Ok(Err(Refusal::Settings(
            FieldError::new("org_id", "import.org_changed", "Filen laddades upp för en annan organisation. Ladda upp den igen.").into(),
        )));
    }
    if let Err(e) = check_mapping(&ctx, table, mapping) {
        return Ok(Err(Refusal::Settings(e)));
    }
    let checked = check_rows(&ctx, table, mapping, now, 0);
    if checked.errors.total > 0 {
        return Ok(Err(Refusal::Rows(checked.errors)));
    }
    if checked.valid.is_empty() {
        return Ok(Err(Refusal::File("Filen har inga rader med observationer under rubrikraden.".to_owned())));
    }
    let batch = NewBatch {
        kind: ImportKind::Observations,
        org_id: ctx.org_id,
        file_name: file.name,
        sha256: file.sha256,
        row_count: checked.valid.len() as i64,
    };
    let batch_id = match create_batch(db, v, &batch)? {
        Ok(id) => id,
        Err(r) => return Ok(Err(r)),
    };
    let rows = observations::create_many(db, v, &checked.valid, "import", Some(batch_id))?;
    Ok(Ok(ObservationImport { batch_id, rows }))
}
