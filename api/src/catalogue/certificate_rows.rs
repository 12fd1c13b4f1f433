//! Reading certificates of analysis with their marker results: one row per certificate, its
//! markers gathered by the database into a JSON array.
//!
//! A certificate typically reports eight markers. Read as rows of their own (or joined), a
//! page of twenty clinics brought back 800 marker rows, and on SQLite every row is handed from
//! the connection's thread to the request's task one at a time: that hand-off, not the query,
//! was the largest and least steady part of a large page's time. Aggregated, the page is 100
//! rows.

use entity::{certificates_of_analysis as coa, coa_markers};
use sea_orm::sea_query::Expr;
use sea_orm::{ColumnTrait, ConnectionTrait, DbBackend, DbErr, EntityTrait, QueryFilter, QueryOrder, QuerySelect};

use super::loaders::CertificateWithMarkers;
use crate::db::positional::{ByPosition, Columns, Positional};

/// The column the markers arrive in.
const MARKERS: &str = "markers_json";

/// `[[id, marker, percent_positive], …]` of the certificate of the outer row, as text; both
/// backends give NULL or `[]` for a certificate without markers. Constant SQL: no input.
fn markers_json(backend: DbBackend) -> Expr {
    let certificate = r#""certificates_of_analysis"."id""#;
    match backend {
        DbBackend::Postgres => Expr::cust(format!(
            "(SELECT json_agg(json_build_array(m.id, m.marker, m.percent_positive))::text \
             FROM coa_markers m WHERE m.certificate_id = {certificate})"
        )),
        _ => Expr::cust(format!(
            "(SELECT json_group_array(json_array(m.id, m.marker, m.percent_positive)) \
             FROM coa_markers m WHERE m.certificate_id = {certificate})"
        )),
    }
}

/// A certificate row with its markers' JSON, the last column.
struct Row(coa::Model, Option<String>);

impl Positional for Row {
    fn decode(columns: &mut Columns<'_>) -> Result<Self, DbErr> {
        Ok(Self(coa::Model::decode(columns)?, columns.take()?))
    }
}

/// Decodes one certificate's markers, in id order.
fn markers(certificate_id: i32, json: Option<&str>) -> Result<Vec<coa_markers::Model>, DbErr> {
    let entries: Vec<(i32, String, f64)> = match json {
        Some(text) => serde_json::from_str(text).map_err(|e| DbErr::Type(format!("markers of a certificate: {e}")))?,
        None => Vec::new(),
    };
    let mut markers: Vec<coa_markers::Model> = entries
        .into_iter()
        .map(|(id, marker, percent_positive)| coa_markers::Model { id, certificate_id, marker, percent_positive })
        .collect();
    markers.sort_unstable_by_key(|m| m.id);
    Ok(markers)
}

/// The certificates of the clinics `clinic_ids`, newest first, each with its markers.
pub async fn of_clinics(db: &impl ConnectionTrait, clinic_ids: &[i32]) -> Result<Vec<CertificateWithMarkers>, DbErr> {
    let rows = coa::Entity::find()
        .column_as(markers_json(db.get_database_backend()), MARKERS)
        .filter(coa::Column::ClinicId.is_in(clinic_ids.iter().copied()))
        .order_by_desc(coa::Column::IssuedOn)
        .order_by_desc(coa::Column::Id)
        .into_model::<ByPosition<Row>>()
        .all(db)
        .await?;
    rows.into_iter()
        .map(|ByPosition(Row(certificate, json))| {
            let markers = markers(certificate.id, json.as_deref())?;
            Ok((certificate, markers))
        })
        .collect()
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn markers_decode_in_id_order_and_none_is_empty() {
        let json = r#"[[7,"CD90",99.25],[3,"CD73",98.5]]"#;
        let decoded = markers(1, Some(json)).expect("valid JSON");
        let summary: Vec<(i32, &str, f64)> =
            decoded.iter().map(|m| (m.id, m.marker.as_str(), m.percent_positive)).collect();
        assert_eq!(summary, vec![(3, "CD73", 98.5), (7, "CD90", 99.25)]);
        assert!(decoded.iter().all(|m| m.certificate_id == 1));
        assert!(markers(1, None).expect("no markers").is_empty());
        assert!(markers(1, Some("[]")).expect("no markers").is_empty());
        assert!(markers(1, Some("not json")).is_err());
    }
}
