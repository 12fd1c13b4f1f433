//! Case-folded copies of each clinic's texts, for the `search` and `city` filters.
//!
//! SQLite's `LOWER()` folds ASCII letters only, so comparing `LOWER(city)` with a needle
//! lower-cased in Rust missed "Ávila" on SQLite while PostgreSQL found it. The texts are now
//! folded in Rust when a clinic is written and stored beside it: `search_text` (name, city and
//! description, joined by a newline, which a needle never holds) and `city_folded`.
//!
//! Existing rows are backfilled here, with this migration's own copy of the folding rule (a
//! migration must keep doing what it did when it ran); the API's `catalogue::folding` writes
//! the same values from now on, and a test checks that the two agree.

use sea_orm_migration::prelude::*;
use sea_orm_migration::sea_orm::DbBackend;

use crate::builders::index;
use crate::m20261127_000001_catalogue::Clinics;

pub struct Migration;

impl MigrationName for Migration {
    fn name(&self) -> &str {
        "m20261127_000004_clinic_folded_texts"
    }
}

/// Rows read and refolded per round trip while backfilling, so memory stays flat.
const BATCH: u64 = 500;

#[async_trait::async_trait]
impl MigrationTrait for Migration {
    /// One transaction on SQLite too (the default is one on PostgreSQL only): the backfill's
    /// updates then share a single commit, and a failure leaves no half-added column behind.
    fn use_transaction(&self) -> Option<bool> {
        Some(true)
    }

    async fn up(&self, m: &SchemaManager) -> Result<(), DbErr> {
        let sqlite = m.get_database_backend() == DbBackend::Sqlite;
        // Text, not varchar: lower-casing can lengthen a string ("İ" becomes two characters).
        for col in [FoldedTexts::SearchText, FoldedTexts::CityFolded] {
            let mut def = ColumnDef::new(col).text().take();
            // SQLite adds a NOT NULL column only with a default and cannot drop it later, so
            // there the column keeps an empty default. PostgreSQL adds it nullable and makes it
            // NOT NULL after the backfill, without a default: a writer that forgets the folded
            // copies fails there instead of hiding the clinic from the filters.
            if sqlite {
                def.not_null().default("");
            }
            m.alter_table(Table::alter().table(Clinics::Table).add_column(def).take()).await?;
        }
        backfill(m).await?;
        if !sqlite {
            m.alter_table(
                Table::alter()
                    .table(Clinics::Table)
                    .modify_column(ColumnDef::new(FoldedTexts::SearchText).not_null())
                    .modify_column(ColumnDef::new(FoldedTexts::CityFolded).not_null())
                    .take(),
            )
            .await?;
        }
        // The city filter is an equality on `city_folded`, with or without a country.
        m.create_index(index("ix_clinics_city_folded", Clinics::Table, &["city_folded"])).await
    }

    async fn down(&self, m: &SchemaManager) -> Result<(), DbErr> {
        // SQLite refuses to drop an indexed column, so the index goes first.
        m.drop_index(Index::drop().name("ix_clinics_city_folded").table(Clinics::Table).to_owned()).await?;
        // One column per statement: SQLite alters one thing at a time.
        for col in [FoldedTexts::CityFolded, FoldedTexts::SearchText] {
            m.alter_table(Table::alter().table(Clinics::Table).drop_column(col).take()).await?;
        }
        Ok(())
    }
}

/// Folds the texts of every clinic already stored, in batches by id.
async fn backfill(m: &SchemaManager<'_>) -> Result<(), DbErr> {
    let db = m.get_connection();
    let mut after = None::<i32>;
    loop {
        let mut select = Query::select()
            .columns([Clinics::Id, Clinics::Name, Clinics::City, Clinics::Description])
            .from(Clinics::Table)
            .order_by(Clinics::Id, Order::Asc)
            .limit(BATCH)
            .take();
        if let Some(id) = after {
            select.and_where(Expr::col(Clinics::Id).gt(id));
        }
        let rows = db.query_all(&select).await?;
        if rows.is_empty() {
            return Ok(());
        }
        for row in rows {
            let id: i32 = row.try_get("", "id")?;
            let fold = |col| row.try_get::<String>("", col).map(|text| text.to_lowercase());
            let (name, city, description) = (fold("name")?, fold("city")?, fold("description")?);
            // A newline: needles with control characters are refused, so none spans two fields.
            let search_text = [name, city.clone(), description].join("\n");
            let update = Query::update()
                .table(Clinics::Table)
                .values([(FoldedTexts::SearchText, Expr::val(search_text)), (FoldedTexts::CityFolded, Expr::val(city))])
                .and_where(Expr::col(Clinics::Id).eq(id))
                .take();
            db.execute(&update).await?;
            after = Some(id);
        }
    }
}

/// The columns this migration adds to `clinics`.
#[derive(DeriveIden)]
enum FoldedTexts {
    SearchText,
    CityFolded,
}
