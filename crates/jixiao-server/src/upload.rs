//! Reading a multipart form with one file, for the upload forms of the pages and the API.

use axum::extract::Multipart;
use jixiao_app::AppError;
use std::collections::HashMap;

/// The text fields of a multipart form and its `file` field, if any.
pub struct UploadForm {
    pub fields: HashMap<String, String>,
    /// (file name, bytes) of the `file` field.
    pub file: Option<(String, Vec<u8>)>,
    /// Other file fields (a form with two files), by field name.
    pub files: HashMap<String, (String, Vec<u8>)>,
}

impl UploadForm {
    pub fn field(&self, name: &str) -> &str {
        self.fields.get(name).map(String::as_str).unwrap_or("")
    }
}

pub async fn read(mut form: Multipart, max_bytes: usize) -> Result<UploadForm, AppError> {
    let mut out = UploadForm {
        fields: HashMap::new(),
        file: None,
        files: HashMap::new(),
    };
    loop {
        let field = match form.next_field().await {
            Ok(Some(f)) => f,
            Ok(None) => return Ok(out),
            Err(_) => {
                return Err(AppError::Invalid(format!(
                    "the upload is larger than {max_bytes} bytes or was cut off"
                )))
            }
        };
        let name = field.name().unwrap_or_default().to_string();
        if name == "file" || field.file_name().is_some() {
            let file_name = field.file_name().unwrap_or("upload").to_string();
            let bytes = field.bytes().await.map_err(|_| {
                AppError::Invalid(format!(
                    "the upload is larger than {max_bytes} bytes or was cut off"
                ))
            })?;
            let file = (file_name, bytes.to_vec());
            if name == "file" {
                out.file = Some(file);
            } else {
                out.files.insert(name, file);
            }
        } else {
            out.fields
                .insert(name, field.text().await.unwrap_or_default());
        }
    }
}
