//! Health-data protection: every quote's patient data sealed under its own data key
//! (`patient_data`), and the append-only record of every read of it (`patient_data_access`).
//!
//! The quote's old plaintext patient columns stay, nullable, for the quotes stored before this
//! migration: `medtour keys rewrap` (and the server at start-up) seals them into
//! `patient_data` and empties them. New quotes never write them. SQLite cannot drop a NOT
//! NULL constraint with ALTER TABLE, and rebuilding `quotes` would drop columns other
//! migrations add; its documented procedure for removing a NOT NULL constraint (editing the
//! stored CREATE statement, which changes nothing on disk) is used instead. The columns'
//! CHECKs pass for NULL, so they stay.

use sea_orm_migration::prelude::*;
use sea_orm_migration::schema::*;
use sea_orm_migration::sea_orm::{ConnectionTrait, DbBackend, Statement};

use crate::builders::{foreign, index, owned_by};

pub struct Migration;

impl MigrationName for Migration {
    fn name(&self) -> &str {
        "m20261202_000301_health_data"
    }
}

/// The plaintext patient columns of `quotes` that were NOT NULL.
const LEGACY_COLUMNS: [&str; 8] = [
    "patient_age_years",
    "patient_country",
    "chronic_migraine_diagnosis",
    "headache_days_per_month",
    "treatments_tried",
    "contraindications",
    "eligibility_outcome",
    "eligibility_reasons",
];

/// `sql` without the NOT NULL of each of `columns` (in a CREATE TABLE statement).
fn without_not_null(sql: &str, columns: &[&str]) -> Result<String, DbErr> {
    let mut sql = sql.to_owned();
    for col in columns {
        let quoted = format!("\"{col}\" ");
        let start = sql.find(&quoted).ok_or_else(|| DbErr::Migration(format!("quotes.{col} not found")))?;
        // The definition ends at the first comma or closing parenthesis outside parentheses
        // (a type such as `char(2)` has its own).
        let mut depth = 0i32;
        let mut end = sql.len();
        for (i, ch) in sql[start..].char_indices() {
            match ch {
                '(' => depth += 1,
                ')' if depth > 0 => depth -= 1,
                ',' | ')' => {
                    end = start + i;
                    break;
                }
                _ => {}
            }
        }
        let definition = sql[start..end].replacen(" NOT NULL", "", 1);
        sql.replace_range(start..end, &definition);
    }
    Ok(sql)
}

async fn relax_legacy_columns(m: &SchemaManager<'_>) -> Result<(), DbErr> {
    let db = m.get_connection();
    if m.get_database_backend() == DbBackend::Postgres {
        for col in LEGACY_COLUMNS {
            db.execute_unprepared(&format!("ALTER TABLE quotes ALTER COLUMN \"{col}\" DROP NOT NULL")).await?;
        }
        return Ok(());
    }
    let row = db
        .query_one_raw(Statement::from_string(
            DbBackend::Sqlite,
            "SELECT sql FROM sqlite_master WHERE type = 'table' AND name = 'quotes'",
        ))
        .await?
        .ok_or_else(|| DbErr::Migration("no quotes table".into()))?;
    let sql: String = row.try_get("", "sql")?;
    let relaxed = without_not_null(&sql, &LEGACY_COLUMNS)?;
    let version: i64 = db
        .query_one_raw(Statement::from_string(DbBackend::Sqlite, "PRAGMA schema_version"))
        .await?
        .ok_or_else(|| DbErr::Migration("no schema version".into()))?
        .try_get_by_index(0)?;
    db.execute_unprepared("PRAGMA writable_schema = ON").await?;
    let edited = db
        .execute_raw(Statement::from_sql_and_values(
            DbBackend::Sqlite,
            "UPDATE sqlite_master SET sql = ? WHERE type = 'table' AND name = 'quotes'",
            [relaxed.into()],
        ))
        .await;
    db.execute_unprepared(&format!("PRAGMA schema_version = {}", version + 1)).await?;
    db.execute_unprepared("PRAGMA writable_schema = OFF").await?;
    edited?;
    Ok(())
}

#[async_trait::async_trait]
impl MigrationTrait for Migration {
    /// One transaction on SQLite too: the schema edit needs one connection throughout.
    fn use_transaction(&self) -> Option<bool> {
        Some(true)
    }

    async fn up(&self, m: &SchemaManager) -> Result<(), DbErr> {
        m.create_table(
            Table::create()
                .table(PatientData::Table)
                .col(integer(PatientData::QuoteId).primary_key())
                .col(string_null(PatientData::MasterKeyId))
                .col(blob_null(PatientData::WrappedKey))
                .col(blob_null(PatientData::Profile))
                .col(blob_null(PatientData::Eligibility))
                .col(timestamp_with_time_zone_null(PatientData::ErasedAt))
                .foreign_key(&mut owned_by(PatientData::Table, PatientData::QuoteId, Quotes::Table))
                // A wrapped key and the id of the master key that wrapped it travel together.
                .check((
                    "ck_patient_data_key".to_owned(),
                    Expr::col(PatientData::WrappedKey).is_null().eq(Expr::col(PatientData::MasterKeyId).is_null()),
                ))
                .take(),
        )
        .await?;
        m.create_index(index("ix_patient_data_master_key", PatientData::Table, &["master_key_id", "quote_id"])).await?;
        m.create_table(
            Table::create()
                .table(PatientDataAccess::Table)
                .col(pk_auto(PatientDataAccess::Id))
                .col(timestamp_with_time_zone(PatientDataAccess::At))
                .col(string(PatientDataAccess::Actor))
                .col(string(PatientDataAccess::ActorRole))
                .col(integer(PatientDataAccess::QuoteId))
                .col(string_null(PatientDataAccess::Operation))
                .foreign_key(&mut foreign(
                    PatientDataAccess::Table,
                    PatientDataAccess::QuoteId,
                    Quotes::Table,
                    ForeignKeyAction::Restrict,
                ))
                .take(),
        )
        .await?;
        for (name, cols) in [
            ("ix_patient_data_access_quote", &["quote_id", "id"][..]),
            ("ix_patient_data_access_actor", &["actor", "id"][..]),
            ("ix_patient_data_access_at", &["at", "id"][..]),
        ] {
            m.create_index(index(name, PatientDataAccess::Table, cols)).await?;
        }
        relax_legacy_columns(m).await
    }

    async fn down(&self, m: &SchemaManager) -> Result<(), DbErr> {
        // The legacy columns stay nullable: restoring NOT NULL would fail on sealed quotes.
        m.drop_table(Table::drop().table(PatientDataAccess::Table).take()).await?;
        m.drop_table(Table::drop().table(PatientData::Table).take()).await?;
        Ok(())
    }
}

#[derive(DeriveIden)]
enum Quotes {
    Table,
}

#[derive(DeriveIden)]
enum PatientData {
    Table,
    QuoteId,
    MasterKeyId,
    WrappedKey,
    Profile,
    Eligibility,
    ErasedAt,
}

#[derive(DeriveIden)]
enum PatientDataAccess {
    Table,
    Id,
    At,
    Actor,
    ActorRole,
    QuoteId,
    Operation,
}

#[cfg(test)]
mod tests {
    #[test]
    fn only_the_named_columns_lose_not_null() {
        let sql = r#"CREATE TABLE "quotes" ( "id" integer NOT NULL PRIMARY KEY, "patient_age_years" integer NOT NULL, "patient_country" char(2) NOT NULL, CONSTRAINT "ck" CHECK ("patient_age_years" BETWEEN 18 AND 100) )"#;
        let out = super::without_not_null(sql, &["patient_age_years", "patient_country"]).unwrap();
        assert_eq!(
            out,
            r#"CREATE TABLE "quotes" ( "id" integer NOT NULL PRIMARY KEY, "patient_age_years" integer, "patient_country" char(2), CONSTRAINT "ck" CHECK ("patient_age_years" BETWEEN 18 AND 100) )"#
        );
    }
}
