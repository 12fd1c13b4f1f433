//! Reading the active packages of a page of clinics: one row per clinic, its packages
//! gathered by the database into a JSON array.
//!
//! For the reason, see [`certificate_rows`](super::certificate_rows): on SQLite each result
//! row costs a hand-off between threads, and a page of twenty clinics has some two hundred
//! packages. Aggregated, it is twenty rows. PostgreSQL reads them as plain rows.

use entity::treatment_packages as packages;
use sea_orm::sea_query::{Expr, ExprTrait};
use sea_orm::{ColumnTrait, ConnectionTrait, DbBackend, DbErr, EntityTrait, QueryFilter, QueryOrder, QuerySelect};
use serde_json::Value;

use super::filter::probe;
use crate::db::positional::ByPosition;

/// The active packages of the outer group's clinic as a JSON array of arrays, each in the
/// order of [`Entry`], as text. Constant SQL: no input.
fn packages_json(backend: DbBackend) -> Expr {
    const COLUMNS: [&str; 13] = [
        "id",
        "treatment_id",
        "name",
        "cell_source",
        "cell_count_millions",
        "administration_routes",
        "sessions",
        "stay_days",
        "price_minor",
        "currency_code",
        "price_usd_minor",
        "inclusions",
        "version",
    ];
    // PostgreSQL's JSONB columns embed as JSON; SQLite keeps JSON as text, which `json()`
    // embeds as JSON rather than as a string.
    let sqlite = backend == DbBackend::Sqlite;
    let columns: Vec<String> = COLUMNS
        .iter()
        .map(|c| {
            let column = format!(r#""treatment_packages"."{c}""#);
            let is_json = *c == "administration_routes" || *c == "inclusions";
            if sqlite && is_json { format!("json({column})") } else { column }
        })
        .collect();
    let columns = columns.join(", ");
    if sqlite {
        Expr::cust(format!("json_group_array(json_array({columns}))"))
    } else {
        Expr::cust(format!("json_agg(json_build_array({columns}))::text"))
    }
}

/// One package as the aggregate lists it.
type Entry = (i32, i32, String, String, i32, Value, i32, i32, i64, String, i64, Value, i32);

/// Decodes one clinic's packages, cheapest first (ties by id).
fn decode(clinic_id: i32, json: &str) -> Result<Vec<packages::Model>, DbErr> {
    let entries: Vec<Entry> =
        serde_json::from_str(json).map_err(|e| DbErr::Type(format!("packages of a clinic: {e}")))?;
    let mut rows: Vec<packages::Model> = entries
        .into_iter()
        .map(
            |(
                id,
                treatment_id,
                name,
                cell_source,
                cell_count_millions,
                routes,
                sessions,
                stay_days,
                price,
                currency,
                usd,
                inclusions,
                version,
            )| {
                packages::Model {
                    id,
                    clinic_id,
                    treatment_id,
                    name,
                    cell_source,
                    cell_count_millions,
                    administration_routes: routes,
                    sessions,
                    stay_days,
                    price_minor: price,
                    currency_code: currency,
                    price_usd_minor: usd,
                    inclusions,
                    active: true,
                    version,
                }
            },
        )
        .collect();
    rows.sort_unstable_by_key(|p| (p.price_usd_minor, p.id));
    Ok(rows)
}

/// The active packages of the clinics `clinic_ids`, each clinic's cheapest first.
pub async fn active_of_clinics(
    db: &impl ConnectionTrait,
    clinic_ids: &[i32],
) -> Result<Vec<(i32, Vec<packages::Model>)>, DbErr> {
    let backend = db.get_database_backend();
    if backend == DbBackend::Postgres {
        return plain_rows(db, clinic_ids).await;
    }
    // Read by the clinic index, not the one led by `active` (see `probe`).
    let active = probe(backend == DbBackend::Sqlite, (packages::Entity, packages::Column::Active));
    let rows: Vec<(i32, String)> = packages::Entity::find()
        .select_only()
        .column(packages::Column::ClinicId)
        .column_as(packages_json(backend), "packages_json")
        .filter(packages::Column::ClinicId.is_in(clinic_ids.iter().copied()))
        .filter(active.eq(true))
        .group_by(packages::Column::ClinicId)
        .into_tuple()
        .all(db)
        .await?;
    rows.into_iter().map(|(clinic_id, json)| Ok((clinic_id, decode(clinic_id, &json)?))).collect()
}

/// PostgreSQL hands rows over without a thread in between, and building the JSON cost it
/// twice the plain statement (pgbench on a page of twenty clinics: 0.74 against 0.44 ms), so
/// there the packages come as rows, in the order the page shows them.
async fn plain_rows(db: &impl ConnectionTrait, clinic_ids: &[i32]) -> Result<Vec<(i32, Vec<packages::Model>)>, DbErr> {
    let rows = packages::Entity::find()
        .filter(packages::Column::ClinicId.is_in(clinic_ids.iter().copied()))
        .filter(packages::Column::Active.eq(true))
        .order_by_asc(packages::Column::ClinicId)
        .order_by_asc(packages::Column::PriceUsdMinor)
        .order_by_asc(packages::Column::Id)
        .into_model::<ByPosition<packages::Model>>()
        .all(db)
        .await?;
    let mut grouped: Vec<(i32, Vec<packages::Model>)> = Vec::new();
    for ByPosition(row) in rows {
        match grouped.last_mut() {
            Some((clinic_id, rows)) if *clinic_id == row.clinic_id => rows.push(row),
            _ => grouped.push((row.clinic_id, vec![row])),
        }
    }
    Ok(grouped)
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn packages_decode_cheapest_first_with_their_json_fields() {
        let json = r#"[
            [9, 1, "Advanced", "UMBILICAL_CORD_MSC", 250, ["INTRAVENOUS"], 2, 5, 1900000, "USD", 1900000, ["hotel"], 3],
            [4, 1, "Basic", "ADIPOSE_MSC", 50, [], 1, 3, 375000, "USD", 375000, [], 1]
        ]"#;
        let rows = decode(7, json).expect("valid JSON");
        let names: Vec<&str> = rows.iter().map(|p| p.name.as_str()).collect();
        assert_eq!(names, ["Basic", "Advanced"]);
        assert!(rows.iter().all(|p| p.clinic_id == 7 && p.active));
        assert_eq!(rows[1].administration_routes, serde_json::json!(["INTRAVENOUS"]));
        assert_eq!(rows[1].inclusions, serde_json::json!(["hotel"]));
        assert!(decode(7, "[[1, 2]]").is_err(), "a short entry is refused, not guessed");
    }
}
