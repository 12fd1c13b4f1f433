//! Shared ground for the health-data tests: a quote carrying distinctive patient values
//! (so a scan can look for them anywhere), with an offer note and a decline reason, and a
//! scan of every column of every table.

use medtour_tests::{Backend, TestApp};
use sea_orm::{ConnectionTrait, DbBackend, Statement};
use serde_json::{Value, json};

use crate::quotes_support::*;

pub const REFERENCE: &str = "zq-ref-5531";
pub const NOTES: &str = "Zorblax aura pattern 7719";
pub const OFFER_NOTES: &str = "Vantablu follow-up plan 3382";
pub const DECLINE_REASON: &str = "Quixotrin intolerance noted";

/// Every distinctive patient value a quote made by [`declined_quote`] carries, with the
/// eligibility reasons the API gave it.
pub fn distinctive(reasons: &[String]) -> Vec<String> {
    let mut all: Vec<String> =
        [REFERENCE, NOTES, OFFER_NOTES, DECLINE_REASON, "BOTULINUM_TOXIN"].iter().map(|s| (*s).to_owned()).collect();
    all.extend(reasons.iter().cloned());
    all
}

/// A request whose patient carries the distinctive reference and notes.
pub fn distinctive_request(w: &World, key: &str) -> Value {
    let mut input = request(&w.baja.id, key);
    input["patient"]["reference"] = json!(REFERENCE);
    input["patient"]["medicalNotes"] = json!(NOTES);
    input
}

/// A quote offered with the distinctive offer notes and declined with the distinctive reason;
/// returns its ID and its eligibility reasons.
pub async fn declined_quote(w: &World, key: &str) -> (String, Vec<String>) {
    let id = submitted(&w.app, &w.agent, distinctive_request(w, key)).await;
    done(&w.app, &w.clinic, &id, Act::Review).await;
    let mut terms = offer(chrono::Utc::now() + chrono::Duration::days(1));
    terms["notes"] = json!(OFFER_NOTES);
    done(&w.app, &w.clinic, &id, Act::Offer(terms)).await;
    let quote = done(&w.app, &w.agent, &id, Act::Decline(Some(DECLINE_REASON))).await;
    let reasons = quote["eligibility"]["reasons"].as_array().unwrap().iter().map(|r| r.as_str().unwrap().to_owned());
    (id, reasons.collect())
}

/// Every value of every column of every table, hex-encoded (lower case), as
/// (table, column, value).
pub async fn every_value(app: &TestApp) -> Vec<(String, String, String)> {
    let db = &app.state.db;
    let backend = db.get_database_backend();
    let query = |sql: String| Statement::from_string(backend, sql);
    let columns_sql = match app.backend {
        Backend::Sqlite => {
            "SELECT m.name AS t, p.name AS c, 'any' AS ty FROM sqlite_master m, pragma_table_info(m.name) p \
                            WHERE m.type = 'table'"
                .to_owned()
        }
        Backend::Postgres => "SELECT table_name::text AS t, column_name::text AS c, data_type::text AS ty \
                              FROM information_schema.columns WHERE table_schema = 'public'"
            .to_owned(),
    };
    let columns = db.query_all_raw(query(columns_sql)).await.unwrap();
    let mut values = Vec::new();
    for col in columns {
        let (t, c, ty): (String, String, String) =
            (col.try_get("", "t").unwrap(), col.try_get("", "c").unwrap(), col.try_get("", "ty").unwrap());
        let expr = match (backend, ty.as_str()) {
            (DbBackend::Sqlite, _) => format!("lower(hex(\"{c}\"))"),
            (_, "bytea") => format!("encode(\"{c}\", 'hex')"),
            _ => format!("encode(convert_to(\"{c}\"::text, 'UTF8'), 'hex')"),
        };
        for row in db.query_all_raw(query(format!("SELECT {expr} AS v FROM \"{t}\""))).await.unwrap() {
            if let Ok(Some(v)) = row.try_get::<Option<String>>("", "v") {
                values.push((t.clone(), c.clone(), v));
            }
        }
    }
    values
}

/// Where `needle` is stored in plaintext: (table, column) pairs.
pub fn found_in(values: &[(String, String, String)], needle: &str) -> Vec<(String, String)> {
    let hex = hex::encode(needle.as_bytes());
    values.iter().filter(|(_, _, v)| v.contains(&hex)).map(|(t, c, _)| (t.clone(), c.clone())).collect()
}

/// Accesses recorded so far for quote row `row`.
pub async fn accesses(app: &TestApp, row: i32) -> Vec<entity::patient_data_access::Model> {
    use sea_orm::{ColumnTrait, EntityTrait, QueryFilter, QueryOrder};
    entity::patient_data_access::Entity::find()
        .filter(entity::patient_data_access::Column::QuoteId.eq(row))
        .order_by_asc(entity::patient_data_access::Column::Id)
        .all(&app.state.db)
        .await
        .unwrap()
}
