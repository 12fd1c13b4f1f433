//! Dashboard speed, offered prices: each offer carries its quote's creation instant and
//! clinic, so the offers of a range are one scan of their own index.
//!
//! Both are copies of facts of the quote that never change once it exists (a quote is
//! created once, for one clinic), written with the offer in its transaction and filled here
//! for the offers made before. The offered-prices section had to find the range's offers
//! through their quotes: PostgreSQL hash-joined all 700,000 offers of the benchmark to the
//! range's quotes (255 ms of 257), SQLite probed an offer per offered quote.
//!
//! - `ix_quote_offers_range` replaces `ix_quote_offers_price` (the offer's price by its
//!   quote, which only that join used): the offers of a range in one currency with their
//!   clinic, cell count and price, read from the index alone.

use sea_orm_migration::prelude::*;
use sea_orm_migration::sea_orm::{ConnectionTrait, DbBackend};

use crate::builders::index;

pub struct Migration;

impl MigrationName for Migration {
    fn name(&self) -> &str {
        "m20261202_000503_offer_range"
    }
}

const ADDED: (&str, &[&str]) = (
    "ix_quote_offers_range",
    &["quote_created_at", "currency_code", "clinic_id", "cell_count_millions", "price_minor"],
);
const REPLACED: (&str, &[&str]) =
    ("ix_quote_offers_price", &["quote_id", "currency_code", "cell_count_millions", "price_minor"]);

#[async_trait::async_trait]
impl MigrationTrait for Migration {
    fn use_transaction(&self) -> Option<bool> {
        Some(true)
    }

    async fn up(&self, m: &SchemaManager) -> Result<(), DbErr> {
        let db = m.get_connection();
        // SQLite adds a NOT NULL column only with a default, and cannot drop it afterwards;
        // PostgreSQL gets the columns without one once they are filled, so an offer written
        // without them is refused there (the tests run on both).
        let statements: &[&str] = match m.get_database_backend() {
            DbBackend::Postgres => &[
                "ALTER TABLE quote_offers ADD COLUMN quote_created_at TIMESTAMPTZ, ADD COLUMN clinic_id INTEGER",
                "UPDATE quote_offers o SET quote_created_at = q.created_at, clinic_id = q.clinic_id \
                 FROM quotes q WHERE q.id = o.quote_id",
                "ALTER TABLE quote_offers ALTER COLUMN quote_created_at SET NOT NULL, \
                 ALTER COLUMN clinic_id SET NOT NULL",
            ],
            _ => &[
                "ALTER TABLE quote_offers ADD COLUMN quote_created_at timestamp_with_timezone_text NOT NULL DEFAULT ''",
                "ALTER TABLE quote_offers ADD COLUMN clinic_id integer NOT NULL DEFAULT 0",
                "UPDATE quote_offers SET (quote_created_at, clinic_id) = \
                 (SELECT q.created_at, q.clinic_id FROM quotes q WHERE q.id = quote_offers.quote_id)",
            ],
        };
        for sql in statements {
            db.execute_unprepared(sql).await?;
        }
        m.drop_index(Index::drop().name(REPLACED.0).table(QuoteOffers::Table).to_owned()).await?;
        m.create_index(index(ADDED.0, QuoteOffers::Table, ADDED.1)).await?;
        Ok(())
    }

    async fn down(&self, m: &SchemaManager) -> Result<(), DbErr> {
        // The index first: SQLite refuses to drop a column an index names.
        m.drop_index(Index::drop().name(ADDED.0).table(QuoteOffers::Table).to_owned()).await?;
        m.create_index(index(REPLACED.0, QuoteOffers::Table, REPLACED.1)).await?;
        for column in [QuoteOffers::QuoteCreatedAt, QuoteOffers::ClinicId] {
            m.alter_table(Table::alter().table(QuoteOffers::Table).drop_column(column).take()).await?;
        }
        Ok(())
    }
}

#[derive(DeriveIden, Clone, Copy)]
enum QuoteOffers {
    Table,
    QuoteCreatedAt,
    ClinicId,
}
